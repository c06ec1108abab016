import AsyncHTTPClient
import Crypto
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseRuntime
import Logging

@testable import DingTalkAdapter
@testable import TelegramAdapter

/// What the targets share: the compiled fuzz config, both adapters (receiving pushes: a Telegram
/// webhook, DingTalk HTTP callbacks, judged and decoded as the daemon's push door has them judged
/// and decoded) and the way every envelope that comes out of a parser is taken further (decided,
/// redacted, rendered for each destination platform).
final class Harness: @unchecked Sendable {
    static let shared = Harness()

    let config: GatewayConfig
    let gate: Gate
    let telegram: TelegramAdapter
    let dingtalk: DingTalkAdapter
    let webhookSecret = Secret("fuzz-webhook-secret")
    let logger: Logger

    private init() {
        var logger = Logger(label: "gatehouse.fuzz")
        // Quiet: the adapters log every refusal, and the fuzzer runs millions.
        logger.logLevel = .critical
        self.logger = logger
        do {
            config = try ConfigLoader(environment: [:], readsSecrets: false).load(yaml: FuzzConfig.yaml, file: "fuzz.yaml")
        } catch {
            fatalError("the fuzz config does not load: \(error.diagnostics.map(\.description).joined(separator: "\n"))")
        }
        gate = config.gate
        telegram = TelegramAdapter(
            configuration: .init(
                platform: "outreach",
                token: Secret("123456789:fuzz-token-not-a-real-telegram-token"),
                apiURL: "http://127.0.0.1:9",
                webhook: .init(url: "https://gatehouse.invalid/hooks/outreach", secret: webhookSecret)
            ),
            httpClient: HTTPClient.shared,
            logger: logger
        )
        dingtalk = DingTalkAdapter(
            configuration: .init(
                platform: "corp",
                clientID: "dingfuzz",
                clientSecret: Secret("fuzz-secret-not-real"),
                robotCode: "dingfuzz",
                apiURL: "http://127.0.0.1:9",
                oapiURL: "http://127.0.0.1:9",
                receive: .http,
                cardCallbackURL: "https://gatehouse.invalid/hooks/corp/cards"
            ),
            httpClient: HTTPClient.shared,
            logger: logger
        )
        // Clicks are answered with what they carried, so that the answer's JSON is built from
        // outside bytes (a card's fields and notice).
        dingtalk.answerCards { action in
            CardAnswer(fields: action.parameters.merging(["card": action.card]) { first, _ in first }, notice: action.person)
        }
    }

    /// Builds what `target` needs before the first input (the shared harness, its gate).
    func prepare(for target: FuzzTarget) {
        _ = gate.router
    }

    // MARK: Targets

    /// One update, or a getUpdates answer's array of them (where an album's parts become one
    /// envelope).
    func telegramUpdate(_ bytes: [UInt8]) {
        if let updates = try? JSONDecoder().decode([Update].self, from: Data(bytes)) {
            for album in TelegramAdapter.albums(in: updates) {
                if let envelope = telegram.envelope(from: album) { cross(envelope) }
            }
            return
        }
        guard let update = try? JSONDecoder().decode(Update.self, from: Data(bytes)),
            let envelope = telegram.envelope(from: update)
        else { return }
        cross(envelope)
    }

    func dingtalkAnswer(_ bytes: [UInt8]) {
        let data = Data(bytes)
        let decoder = JSONDecoder()
        _ = try? decoder.decode(MediaUploadResponse.self, from: data)
        _ = try? decoder.decode(FileDownloadResponse.self, from: data)
        _ = try? decoder.decode(GroupMessageRecallResponse.self, from: data)
        if let answer = try? decoder.decode(TopAPIAnswer<UserResult>.self, from: data) {
            _ = answer.result?.deptIDList?.count
        }
        _ = try? decoder.decode(TopAPIAnswer<DepartmentResult>.self, from: data)
    }

    func telegramWebhook(_ request: WireRequest) {
        push(Push(headers: request.headers, body: request.body), to: telegram)
    }

    /// A push as the door takes it: the headers screened, the token read, the body decoded, and
    /// what it carries taken further.
    func push(_ push: Push, to adapter: some PushReceiving) {
        guard adapter.screen(push.headers, now: Date()) == nil else { return }
        _ = adapter.token(push.headers)
        if case .envelope(let envelope) = adapter.decode(push) { cross(envelope) }
    }

    func dingtalkCallback(_ request: WireRequest, signed: Bool) {
        var headers = request.headers
        if signed, let timestamp = headers["timestamp"] {
            // Signed inputs give the timestamp as an offset from now (so that a seed stays fresh);
            // unsigned ones pass it as written, to the clock-window check that reads anyone's bytes.
            if let offset = Int64(timestamp) {
                headers["timestamp"] = String(Int64(Date().timeIntervalSince1970 * 1000) &+ offset)
            }
            headers["sign"] = DingTalkAdapter.callbackSign(timestamp: headers["timestamp"]!, secret: dingtalk.configuration.clientSecret)
        }
        push(Push(headers: headers, body: request.body), to: dingtalk)
    }

    func dingtalkCard(_ request: WireRequest, signed: Bool) {
        var headers = request.headers
        if signed, let timestamp = headers["x-ddpaas-signature-timestamp"] {
            if let offset = Int64(timestamp) {
                headers["x-ddpaas-signature-timestamp"] = String(Int64(Date().timeIntervalSince1970 * 1000) &+ offset)
            }
            headers["x-ddpaas-signature"] = DingTalkAdapter.cardSignature(
                timestamp: headers["x-ddpaas-signature-timestamp"]!,
                secret: DingTalkAdapter.cardSecret(for: dingtalk.configuration.clientSecret)
            )
        }
        guard dingtalk.screenCard(headers, now: Date()) == nil else { return }
        _ = dingtalk.cardToken(headers)
        let dingtalk = self.dingtalk
        let push = Push(headers: headers, body: request.body)
        let answer = blocking { await dingtalk.answerCardPush(push) }
        // What goes back to DingTalk must be JSON it can read.
        if answer.status == 200, (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) == nil {
            fatalError("a card click's answer is not JSON")
        }
    }

    func dingtalkFrame(_ bytes: [UInt8]) {
        let dingtalk = self.dingtalk
        let text = String(decoding: bytes, as: UTF8.self)
        if let frame = try? JSONDecoder().decode(DownstreamFrame.self, from: Data(text.utf8)),
            frame.type == "EVENT", frame.header("eventType") == DingTalkAdapter.announcementEvent
        {
            // An announcement's event is followed by get_blackboard, a request to DingTalk that has
            // no answer here: its data is read as the event and as the announcement both.
            guard let data = frame.data.map({ Data($0.utf8) }),
                let event = try? JSONDecoder().decode(BlackboardSentEvent.self, from: data),
                let blackboard = try? JSONDecoder().decode(Blackboard.self, from: data),
                let envelope = dingtalk.announcement(
                    blackboard,
                    event: event,
                    eventID: frame.header("eventId") ?? "",
                    bornAt: frame.header("eventBornTime")
                )
            else { return }
            cross(envelope)
            return
        }
        let logger = self.logger
        _ = blocking {
            try? await dingtalk.handle(
                text,
                reply: { reply in
                    // What goes back on the connection must be JSON the server can read.
                    _ = try JSONSerialization.jsonObject(with: Data(reply.utf8))
                },
                handler: { events in
                    for event in events {
                        Harness.shared.cross(event.envelope)
                        try await event.acknowledgement()
                    }
                },
                logger: logger
            )
        }
    }

    func adminRequest(_ bytes: [UInt8]) {
        _ = try? AdminWire.decoder.decode(AdminWire.Decision.self, from: Data(bytes))
        // A standby console's use, handed over for the active instance to audit.
        _ = try? AdminWire.decoder.decode(AdminWire.ConsoleAccess.self, from: Data(bytes))
        guard let wanted = try? AdminWire.decoder.decode(AdminWire.Announcement.self, from: Data(bytes)) else { return }
        let envelope = Envelope(
            origin: .init(platform: Gate.announcePlatform, conversation: Gate.announceSource, messageID: "fuzz", eventID: "fuzz"),
            sender: .init(id: "operator", name: "operator"),
            body: .init(text: wanted.text),
            time: Date(),
            labels: ["announcement"]
        )
        guard let time = try? AnnouncementTime(at: wanted.at, tz: wanted.tz, localTime: wanted.localTime),
            let crossings = try? gate.announcement(envelope, to: wanted.to)
        else { return }
        for crossing in crossings {
            guard let channel = config.channels[crossing.destination] else { continue }
            _ = try? time.due(at: channel, now: Date())
            render(crossing)
        }
    }

    func configFile(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        _ = try? ConfigLoader(environment: [:], readsSecrets: false).load(yaml: text, file: "/fuzz/config.yaml")
    }

    func policy(_ bytes: [UInt8]) {
        // The first line is the sender's name, the rest the text: both are checked and sent.
        let text = String(decoding: bytes, as: UTF8.self)
        let name = text.prefix { $0 != "\n" }
        let envelope = Envelope(
            origin: .init(platform: "corp", conversation: "cidAllHands000==", messageID: "m", eventID: "m"),
            sender: .init(id: "staff", name: String(name), department: "Sales"),
            body: .init(text: String(text.dropFirst(name.count + 1))),
            time: Date()
        )
        cross(envelope)
    }

    // MARK: Taking an envelope further

    /// Decides `envelope` as it came and as if it had come from each routed source (a parser's
    /// output rarely names a configured chat), and renders every crossing for its destination.
    func cross(_ envelope: Envelope) {
        var origins = [envelope.origin]
        for route in config.routes {
            for source in route.from {
                guard let channel = config.channels[source] else { continue }
                var origin = envelope.origin
                origin.platform = channel.platform
                switch channel.address {
                case .conversation(let id): origin.conversation = id
                case .chat(let chat, let topic):
                    origin.conversation = chat
                    origin.handle = chat.hasPrefix("@") ? String(chat.dropFirst()) : origin.handle
                    origin.topic = topic
                case .announcements: origin.conversation = Channel.announcementConversation
                case .privateChats: origin.conversation = "1"
                case .robotWebhook, .users: continue
                }
                origins.append(origin)
            }
        }
        for origin in origins {
            var homed = envelope
            homed.origin = origin
            // A private chat's messages say so, as the adapter's do.
            if origin.conversation == "1" { homed.labels.insert(Channel.privateLabel) }
            for crossing in gate.crossings(for: homed) {
                render(crossing)
            }
        }
    }

    /// What the destination's adapter makes of a crossing before the request is sent.
    func render(_ crossing: Crossing) {
        guard let channel = config.channels[crossing.destination] else { return }
        switch channel.platform {
        case telegram.platform:
            // With the native form's label left out, as a send that carries the form does.
            let content = crossing.native.flatMap { $0.body(withoutLabelIn: crossing.content) } ?? crossing.content
            for part in telegram.splitter.split(content) {
                _ = EntityMapping.entities(from: part.spans, in: part.text)
            }
            if let native = crossing.native, case let shape = native.shape {
                _ = try? JSONEncoder().encode(SendNative(chatID: ChatID("-1001"), messageThreadID: nil, shape: shape, replyParameters: nil))
            }
        default:
            _ = try? dingtalk.msgParams(
                for: DingTalkAdapter.content(
                    of: .init(channel: channel, text: crossing.text, idempotencyKey: "f", spans: crossing.spans, attachments: crossing.attachments)
                )
            )
            _ = try? dingtalk.msgParams(for: crossing.content)
            _ = try? dingtalk.msgParams(for: crossing.content, format: .markdown(title: "fuzz"))
        }
    }
}
