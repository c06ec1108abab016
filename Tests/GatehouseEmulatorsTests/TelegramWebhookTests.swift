import Foundation
import Hummingbird
import Logging
import Synchronization
import Testing

@testable import GatehouseEmulators

/// A local HTTP endpoint standing in for a bot's webhook: records each push and answers the
/// statuses it is told to, then 200.
final class WebhookReceiver: Sendable {
    struct Push: Sendable {
        var secret: String?
        var body: [String: JSONValue]
    }

    let pushes = Mutex<[Push]>([])
    private let statuses: Mutex<[HTTPResponse.Status]>
    private let bound = Mutex<Int?>(nil)

    init(failFirst statuses: [HTTPResponse.Status] = []) {
        self.statuses = Mutex(statuses)
    }

    var port: Int? { bound.withLock { $0 } }

    func run() async throws {
        let router = Router()
        router.post("/hook") { [self] request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let object = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body)))?.objectValue ?? [:]
            pushes.withLock { $0.append(Push(secret: request.headers[.init("X-Telegram-Bot-Api-Secret-Token")!], body: object)) }
            let status = statuses.withLock { $0.isEmpty ? .ok : $0.removeFirst() }
            return Response(status: status)
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { [self] channel in bound.withLock { $0 = channel.localAddress?.port } },
            logger: Logger(label: "test.webhook") { _ in SwiftLogNoOpLogHandler() }
        )
        try await app.run()
    }
}

@Suite("Telegram emulator: webhooks", .timeLimit(.minutes(2)))
struct TelegramWebhookTests {
    static let token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
    static let chat = TelegramEmulator.Chat(id: -1_001_234_567_890, type: .supergroup, title: "Partners")

    @Test("updates are pushed in order with the secret header, again until taken, and getUpdates answers 409 meanwhile")
    func pushUntilTaken() async throws {
        let receiver = WebhookReceiver(failFirst: [.internalServerError])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await receiver.run() }
            defer { group.cancelAll() }
            #expect(try await eventually(timeout: .seconds(10)) { receiver.port != nil })
            var configuration = TelegramEmulator.Configuration(token: Self.token, rateLimits: false, webhookRetry: .milliseconds(50))
            // The receiver is this test, on plain http.
            configuration.plainWebhooks = true
            try await withTelegram(configuration) { emulator, http in
                let api = "/bot\(Self.token)"
                let set = try await http.send(
                    "POST",
                    "\(api)/setWebhook",
                    body:
                        #"{"url": "http://127.0.0.1:\#(receiver.port ?? 0)/hook", "secret_token": "s3cr3t_Token-1", "allowed_updates": ["message"]}"#,
                    contentType: "application/json"
                )
                #expect(set.json["result"] == .bool(true))
                #expect(try await http.get("\(api)/getUpdates").status == 409)
                for text in ["first", "second"] {
                    _ = try await emulator.inject(.init(kind: .message, chat: Self.chat, from: .init(id: 42, firstName: "Li"), text: text))
                }
                #expect(try await eventually { receiver.pushes.withLock { $0.count } == 3 })
                let pushes = receiver.pushes.withLock { $0 }
                // The first push was answered 500: it came again, before the second update.
                #expect(pushes.map { $0.body["message"]?["text"]?.stringValue } == ["first", "first", "second"])
                #expect(pushes.allSatisfy { $0.secret == "s3cr3t_Token-1" })
                #expect(await emulator.stats().webhookFailures == 1)
                // The receiver has the third push before the emulator has its answer: wait for that.
                #expect(
                    try await eventually {
                        try await http.get("\(api)/getWebhookInfo").json["result"]?["pending_update_count"] == .int(0)
                    }
                )
                let info = try await http.get("\(api)/getWebhookInfo")
                #expect(info.json["result"]?["url"] == .string("http://127.0.0.1:\(receiver.port ?? 0)/hook"))
            }
        }
    }

    @Test("a malformed secret token or URL is refused as Telegram refuses it")
    func refusals() async throws {
        try await withTelegram(.init(token: Self.token, rateLimits: false)) { _, http in
            let api = "/bot\(Self.token)"
            let badSecret = try await http.send(
                "POST",
                "\(api)/setWebhook",
                body: #"{"url": "https://gatehouse.example/h", "secret_token": "no spaces"}"#,
                contentType: "application/json"
            )
            #expect(badSecret.status == 400)
            #expect(badSecret.json["description"] == .string("Bad Request: bad webhook: secret token contains unallowed characters"))
            let badURL = try await http.send("POST", "\(api)/setWebhook", body: #"{"url": "ftp://x"}"#, contentType: "application/json")
            #expect(badURL.status == 400)
        }
    }

    @Test("a webhook must be HTTPS on port 443, 80, 88 or 8443, unless the sandbox pushes to this machine")
    func httpsOnDocumentedPorts() async throws {
        let urls = [
            "http://gatehouse.example/hooks/tg", "https://gatehouse.example:9443/hooks/tg", "https://gatehouse.example:8443/hooks/tg",
            "https://gatehouse.example/hooks/tg",
        ]
        let answers = try await withTelegram(.init(token: Self.token, rateLimits: false)) { _, http in
            var answers: [JSONValue?] = []
            for url in urls {
                let answer = try await http.send(
                    "POST",
                    "/bot\(Self.token)/setWebhook",
                    body: #"{"url": "\#(url)"}"#,
                    contentType: "application/json"
                )
                answers.append(answer.json["description"])
            }
            return answers
        }
        #expect(
            answers == [
                .string("Bad Request: bad webhook: An HTTPS URL must be provided for webhook"),
                .string("Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"), nil, nil,
            ]
        )
    }
}
