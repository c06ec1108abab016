import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseEmulators
import GatehouseLedger

/// The demo's script: who posts what where, and which crossings that must produce.
struct DemoScenario: Sendable {
    /// One scripted post.
    struct Step: Sendable {
        var title: String
        /// The source channel's config name.
        var channel: String
        var senderID: String
        var senderName: String
        var text: String
        /// The title, when the step publishes an announcement (in a channel of announcements).
        var headline: String? = nil
        /// What the rules must decide.
        var verdict: Verdict = .forward
        /// What the destination must receive within the sent text; nil = the step's text. A
        /// blocked step must leave nothing of its text at the destination.
        var arrives: String? = nil
        /// A file posted with the text (its name and bytes): it crosses as a file.
        var file: (name: String, mimeType: String, data: Data)? = nil
        /// Played only when the config has the channel (the support desk's steps).
        var optional = false
        /// A held step's reviewer (staff id, name): they approve it on its review card.
        var reviewer: (id: String, name: String)? = nil
    }

    /// The reviewer's department, as the demo's directory names it.
    static let reviewDepartment = DingTalkEmulator.Department(deptId: 7, name: "合规部")
    /// Someone who may look at the console but decide nothing (`viewer` in the demo's config).
    static let auditor = DingTalkEmulator.Person(userid: "auditor01", name: "王审计", deptIdList: [8])
    static let auditDepartment = DingTalkEmulator.Department(deptId: 8, name: "审计部")

    /// The receipt a customer sends in the demo: a small PDF.
    static let receipt = Data(
        "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% Acme receipt #4411: 2 × widget, ¥ 198.00\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8
    )

    let steps: [Step] = [
        Step(
            title: "an internal announcement goes out",
            channel: "all-hands",
            senderID: "manager0042",
            senderName: "王经理",
            text: "Q3 results are published: revenue up 12%. Thank you all!"
        ),
        Step(
            title: "an external customer writes in",
            channel: "support",
            senderID: "5550001",
            senderName: "Li Wei",
            text: "Hello, my order #4411 has not arrived yet. Can you help?"
        ),
        Step(
            title: "a customer's file crosses as a file",
            channel: "support",
            senderID: "5550001",
            senderName: "Li Wei",
            text: "Here is the receipt.",
            // At the desk the PDF is a file message (sampleFile), which shows its name.
            arrives: "receipt-4411.pdf",
            file: ("receipt-4411.pdf", "application/pdf", receipt)
        ),
        Step(
            title: "a company announcement (公告) is mirrored",
            channel: "board",
            senderID: "hr0007",
            senderName: "hr0007",
            text: "The office is closed on 1 January. Happy new year!",
            headline: "Holiday notice"
        ),
        Step(
            title: "a phone number is masked before it leaves",
            channel: "all-hands",
            senderID: "manager0042",
            senderName: "王经理",
            text: "Questions? Call the press office on 138 1234 5678.",
            verdict: .redact,
            arrives: "Call the press office on [REDACTED:cn_mobile]."
        ),
        Step(
            title: "an embargoed announcement waits for compliance, who approve it on its DingTalk card",
            channel: "all-hands",
            senderID: "manager0042",
            senderName: "王经理",
            text: "机密 until today: the new product launches on 1 March.",
            verdict: .hold,
            reviewer: ("compliance01", "周敏")
        ),
        Step(
            title: "a customer writes to the bot in private: a support ticket opens",
            channel: "customers",
            senderID: "5550003",
            senderName: "Chen Jie",
            text: "Hi, I was charged twice for order #4420. Can you check?",
            optional: true
        ),
        Step(
            title: "the desk answers that customer alone, the phone number masked",
            channel: "desk",
            senderID: "agent007",
            senderName: "客服小王",
            text: "#1001 Sorry about that! The refund has started. Questions? Call 138 1234 5678.",
            verdict: .redact,
            arrives: "Questions? Call [REDACTED:cn_mobile].",
            optional: true
        ),
        Step(
            title: "a link in a customer's name is stopped",
            channel: "support",
            senderID: "5550002",
            senderName: "www.evil-login.example",
            text: "Your account is locked, sign in again",
            verdict: .block
        ),
    ]

    let telegramPlatform: String
    let dingtalkPlatform: String
    let telegramEmulator: TelegramEmulator.Configuration
    let dingtalkEmulator: DingTalkEmulator.Configuration

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    init(config: GatewayConfig) throws {
        var telegram: (String, PlatformConfig.Telegram)?
        var dingtalk: (String, PlatformConfig.DingTalk)?
        for platform in config.platforms.values.sorted(by: { $0.name < $1.name }) {
            switch platform.settings {
            case .telegram(let settings): telegram = telegram ?? (platform.name, settings)
            case .dingtalk(let settings): dingtalk = dingtalk ?? (platform.name, settings)
            }
        }
        guard let telegram, let dingtalk else {
            throw Invalid(description: "\(config.file): the demo needs one telegram and one dingtalk platform")
        }
        for step in steps where config.channels[step.channel] == nil && !step.optional {
            throw Invalid(description: "\(config.file): the demo posts in channel '\(step.channel)', which the config lacks")
        }
        telegramPlatform = telegram.0
        dingtalkPlatform = dingtalk.0
        var telegramEmulator = TelegramEmulator.Configuration()
        // The demo's gateway listens on plain http on this machine: the sandbox pushes there.
        telegramEmulator.plainWebhooks = true
        telegramEmulator.token = telegram.1.token.value
        // The bot is in every chat the config names, as it would be on Telegram; any other chat
        // is "chat not found".
        for (name, channel) in config.channels.sorted(by: { $0.key < $1.key }) where channel.platform == telegram.0 {
            guard case .chat(let chat, let topic) = channel.address, let id = Int64(chat), id != 0 else { continue }
            let type: TelegramEmulator.ChatType = id <= -1_000_000_000_000 ? .supergroup : id < 0 ? .group : .private
            telegramEmulator.chats.append(
                .init(id: id, type: type, title: id < 0 ? name : nil, firstName: id > 0 ? name : nil, topics: topic.map { [$0] })
            )
        }
        // The demo shows the flow, not the limits; the tests and benchmarks exercise those.
        telegramEmulator.rateLimits = false
        self.telegramEmulator = telegramEmulator
        var dingtalkEmulator = DingTalkEmulator.Configuration()
        dingtalkEmulator.clientID = dingtalk.1.clientID
        dingtalkEmulator.clientSecret = dingtalk.1.clientSecret.value
        dingtalkEmulator.robotCode = dingtalk.1.robotCode
        dingtalkEmulator.rateLimits = false
        self.dingtalkEmulator = dingtalkEmulator
    }

    /// The config with every platform's base URL pointed at the emulators, and a private state directory.
    func pointing(_ config: GatewayConfig, telegram: String, dingtalk: String, state: String) -> GatewayConfig {
        var config = config
        config.state = state
        for (name, var platform) in config.platforms {
            switch platform.settings {
            case .telegram(var settings):
                settings.apiURL = telegram
                settings.pollTimeout = .seconds(1)
                platform.settings = .telegram(settings)
            case .dingtalk(var settings):
                settings.apiURL = dingtalk
                settings.oapiURL = dingtalk
                settings.loginURL = dingtalk
                platform.settings = .dingtalk(settings)
            }
            config.platforms[name] = platform
        }
        return config
    }

    /// Posts every step as a user of the platform would, then waits until each expected crossing
    /// is delivered (or the time is up) and collects what happened.
    func play(
        telegram: ControlClient,
        dingtalk: ControlClient,
        ledger: any Ledger,
        timeout: Duration,
        config: GatewayConfig
    ) async throws -> DemoOutcome {
        var expected: [DemoOutcome.Expectation] = []
        // The reviewers are in the directory, so that their cards' decisions name them.
        let reviewers = steps.compactMap(\.reviewer).map {
            DingTalkEmulator.Person(userid: $0.id, name: $0.name, deptIdList: [Self.reviewDepartment.deptId])
        }
        // And an auditor, who signs in to the console to look.
        let _: Acknowledged = try await dingtalk.post(
            "/_emulator/directory",
            DingTalkEmulator.DirectoryEntries(people: reviewers + [Self.auditor], departments: [Self.reviewDepartment, Self.auditDepartment])
        )
        for step in steps {
            guard let channel = config.channels[step.channel] else { continue }
            // A desk answer to a ticket waits until the customer's message opened it.
            if let (ticket, _) = Addressee.ticketReference(in: RichText(text: step.text)) {
                let deadline = ContinuousClock.now + timeout
                while try await ledger.ticket(ticket) == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            }
            // The posted message's id at its platform: the audit records name it.
            let messageID: String
            switch channel.address {
            case .conversation(let conversation):
                let reply: DingTalkReply = try await dingtalk.post(
                    "/_emulator/messages",
                    DingTalkPost(
                        conversationId: conversation,
                        conversationType: "2",
                        senderStaffId: step.senderID,
                        senderNick: step.senderName,
                        text: step.text
                    )
                )
                messageID = reply.msgId
            case .chat(let chat, let topic):
                let reply: TelegramReply = try await telegram.post(
                    "/_emulator/updates",
                    TelegramPost(
                        kind: "message",
                        chat: .init(id: Int64(chat) ?? 0, type: "supergroup", title: "Acme Support"),
                        from: .init(id: Int64(step.senderID) ?? 1, first_name: step.senderName),
                        text: step.text,
                        message_thread_id: topic,
                        document: step.file.map { .init(file_name: $0.name, mime_type: $0.mimeType, content: $0.data.base64EncodedString()) }
                    )
                )
                messageID = String(reply.message_id)
            case .announcements:
                let published: DingTalkEmulator.PublishedAnnouncement = try await dingtalk.post(
                    "/_emulator/blackboards",
                    DingTalkEmulator.Announcement(
                        title: step.headline ?? step.title,
                        content: step.text,
                        senderStaffId: step.senderID
                    )
                )
                messageID = published.blackboardId
            case .robotWebhook, .users:
                // Send-only: the config refuses one as a route's source.
                continue
            case .privateChats:
                // A customer's private chat with the bot: its id is the customer's.
                let reply: TelegramReply = try await telegram.post(
                    "/_emulator/updates",
                    TelegramPost(
                        kind: "message",
                        chat: .init(id: Int64(step.senderID) ?? 1, type: "private", title: step.senderName),
                        from: .init(id: Int64(step.senderID) ?? 1, first_name: step.senderName),
                        text: step.text
                    )
                )
                messageID = String(reply.message_id)
            }
            for route in config.routes where route.from.contains(step.channel) {
                for destination in route.to where destination != step.channel {
                    expected.append(.init(step: step, messageID: messageID, route: route.name, destination: destination))
                }
            }
        }
        let deadline = ContinuousClock.now + timeout
        // Each held step's reviewer approves it on the card they were sent.
        for step in steps {
            guard let reviewer = step.reviewer, config.channels[step.channel] != nil else { continue }
            var card: DingTalkEmulator.Card?
            while card == nil, ContinuousClock.now < deadline {
                let cards: [DingTalkEmulator.Card] = try await dingtalk.get("/_emulator/cards")
                card = cards.first { $0.cardData["text"]?.contains(step.text) == true && $0.spaces.contains("IM_ROBOT.\(reviewer.id)") }
                if card == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            guard let card else { continue }
            let _: DingTalkEmulator.ClickResult = try await dingtalk.post(
                "/_emulator/cards/click",
                DingTalkEmulator.Click(
                    outTrackId: card.outTrackId,
                    userId: reviewer.id,
                    params: ["action": "approve", "reason": "checked: the embargo ends today"]
                )
            )
        }
        var outcome = DemoOutcome(expected: expected)
        while true {
            outcome.records = try await ledger.records(from: 1, limit: 10_000)
            if outcome.allDelivered || ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        for expectation in expected {
            guard let channel = config.channels[expectation.destination] else { continue }
            switch channel.address {
            case .conversation(let conversation):
                let sent: [DingTalkSent] = try await dingtalk.get("/_emulator/sent?conversation=\(Self.query(conversation))")
                outcome.received[expectation.destination] = sent.compactMap(\.content)
            case .chat(let chat, _):
                let sent: [TelegramSent] = try await telegram.get("/_emulator/sent?chat_id=\(Self.query(chat))")
                outcome.received[expectation.destination] = sent.compactMap(\.text)
            case .users(let users):
                let sent: [DingTalkSent] = try await dingtalk.get("/_emulator/sent?conversation=\(Self.query(users.joined(separator: ",")))")
                outcome.received[expectation.destination] = sent.compactMap(\.content)
            case .privateChats:
                // Each ticket's customer, in their own chat: whatever the bot sent to any of them.
                let sent: [TelegramSent] = try await telegram.get("/_emulator/sent")
                outcome.received[expectation.destination] = sent.compactMap(\.text)
            case .robotWebhook, .announcements:
                // The demo's own config has no robot (its emulator would need the robot
                // registered), and announcements are never a destination.
                outcome.received[expectation.destination] = []
            }
        }
        return outcome
    }

    private static func query(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
    }
}

// The control API's JSON (shared/CONFIG.md, "Emulators' control API").

private struct Acknowledged: Decodable {}

private struct DingTalkReply: Decodable {
    var msgId: String
}

private struct TelegramReply: Decodable {
    var message_id: Int64
}

private struct DingTalkPost: Encodable {
    var conversationId: String
    var conversationType: String
    var senderStaffId: String
    var senderNick: String
    var text: String
}

private struct TelegramPost: Encodable {
    struct Chat: Encodable {
        var id: Int64
        var type: String
        var title: String
    }

    struct From: Encodable {
        var id: Int64
        var first_name: String
    }

    var kind: String
    var chat: Chat
    var from: From
    var text: String
    var message_thread_id: Int64?
    var document: File?

    struct File: Encodable {
        var file_name: String
        var mime_type: String
        var content: String
    }
}

private struct DingTalkSent: Decodable {
    var content: String?
}

private struct TelegramSent: Decodable {
    var text: String?
}
