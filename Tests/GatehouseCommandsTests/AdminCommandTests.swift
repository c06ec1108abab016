import ArgumentParser
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import Testing

@testable import GatehouseCommands

/// The admin commands against a running gateway's admin socket.
@Suite(.timeLimit(.minutes(2))) struct AdminCommandTests {
    let socket = FileManager.default.temporaryDirectory.appendingPathComponent("gh-admin-\(UUID().uuidString.prefix(8)).sock").path
    let ledger = FlakyLedger(try! Fixtures.memoryLedger())
    let corp = FakeAdapter(platform: "corp")
    let tg = FakeAdapter(platform: "tg")

    var yaml: String { yaml(review: "") }

    /// The config, with `review` keys on its route.
    func yaml(review: String) -> String {
        fakePlatformsYAML(socket: socket) + """
            channels:
              all-hands: { platform: corp, conversation: cidA }
              news: { platform: tg, chat: -1001 }
            checks:
              secret-words: { keywords: [机密] }
            routes:
              - { name: announcements, from: all-hands, to: [news], on: { secret-words: hold }\(review) }
            """
    }

    func running(review: String = "", _ body: (Gateway) async throws -> Void) async throws {
        let yaml = yaml(review: review)
        let config = try ConfigLoader(environment: [:]).load(yaml: yaml, file: "test.yaml")
        let gateway = Gateway(
            config: config,
            ledger: ledger,
            adapters: [corp, tg],
            reload: { [yaml] in try ConfigLoader(environment: [:]).load(yaml: yaml, file: "test.yaml") },
            logger: quietLogger("test")
        )
        try await withServices(gateway.services) {
            #expect(await eventually { FileManager.default.fileExists(atPath: socket) })
            try await body(gateway)
        }
    }

    func command<C: AsyncParsableCommand>(_ arguments: [String], as: C.Type = C.self) throws -> C {
        try #require(try GatehouseCommand.parseAsRoot(arguments + ["--socket", socket]) as? C)
    }

    func heldIDs() async throws -> [Int64] {
        try await AdminClient(socket: socket).get("/holds", as: [AdminWire.Job].self).map(\.id)
    }

    @Test func anApprovedHoldIsDeliveredAndTheCallerIsTheAuditedApprover() async throws {
        try await running { _ in
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "m1", text: "机密: Q3 numbers"))
            #expect(await eventually { try await heldIDs().count == 1 })
            let id = try #require(try await heldIDs().first)
            let shown = try await AdminClient(socket: socket).get("/holds/\(id)", as: AdminWire.Job.self)
            #expect(shown.text == "机密: Q3 numbers" && shown.route == "announcements")
            let approve = try command(["holds", "approve", String(id), "--reason", "cleared by legal"], as: Holds.Approve.self)
            try await approve.run()
            #expect(await eventually { tg.sent.map(\.text) == ["机密: Q3 numbers"] })
            let decision = try #require(try await ledger.records(from: 1, limit: 100).first { $0.kind == .holdApproved })
            // The kernel's word for who ran the command, not anything the command said.
            #expect(decision.approver?.hasPrefix("uid \(getuid())") == true)
            #expect(decision.reason == "cleared by legal")
            #expect(try await heldIDs().isEmpty)
        }
    }

    @Test func aRejectedHoldIsAuditedAndDropped() async throws {
        try await running { _ in
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "m2", text: "机密 draft"))
            #expect(await eventually { try await heldIDs().count == 1 })
            let id = try #require(try await heldIDs().first)
            let reject = try command(["holds", "reject", String(id), "--reason", "not for outside"], as: Holds.Reject.self)
            try await reject.run()
            let decision = try #require(try await ledger.records(from: 1, limit: 100).first { $0.kind == .holdRejected })
            #expect(decision.approver?.hasPrefix("uid \(getuid())") == true && decision.reason == "not for outside")
            // Deciding it again is refused: it is no longer held.
            let again = try command(["holds", "approve", String(id), "--reason", "changed my mind"], as: Holds.Approve.self)
            await #expect(throws: CommandFailure.self) { try await again.run() }
            try await Task.sleep(for: .milliseconds(100))
            #expect(tg.sent.isEmpty)
        }
    }

    @Test func statusQueueAndReloadAnswerTruthfully() async throws {
        try await running { gateway in
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "m3", text: "机密 one"))
            #expect(await eventually { try await heldIDs().count == 1 })
            let status = try await AdminClient(socket: socket).get("/status", as: AdminWire.Status.self)
            #expect(status.revision == gateway.config.revision && status.routes == 1 && status.outbox["held"] == 1)
            #expect(status.line.hasPrefix("1 routes; 0 queued, 1 held, 0 dead;"))
            let queue = try await AdminClient(socket: socket).get("/queue", as: [AdminWire.QueueRow].self)
            #expect(queue.map(\.destination) == ["news"])
            #expect(queue.first.map { [$0.pending, $0.inflight, $0.deferred, $0.held, $0.dead] } == [0, 0, 0, 1, 0])
            let reload = try await AdminClient(socket: socket).post("/reload", as: AdminWire.ReloadAnswer.self)
            #expect(reload.outcome == "unchanged" && reload.revision == gateway.config.revision)
            let printed = try command(["status"], as: Status.self)
            try await printed.run()
        }
    }

    @Test func aDeadLetterCanBeRetriedOrCancelledAndTheCallerIsAudited() async throws {
        // Telegram refuses for good (the bot was kicked): both messages are dead-lettered.
        tg.failNextSends(with: [DeliveryError.unauthorized("403 Forbidden"), DeliveryError.unauthorized("403 Forbidden")])
        try await running { _ in
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "d1", text: "first"))
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "d2", text: "second"))
            func dead() async throws -> [Int64] { try await AdminClient(socket: socket).get("/dead", as: [AdminWire.Job].self).map(\.id) }
            #expect(await eventually { try await dead().count == 2 })
            let ids = try await dead()
            // The bot is back in the chat: the first goes again, the second is given up.
            let retry = try command(["queue", "retry", String(ids[0]), "--reason", "bot re-added"], as: Queue.Retry.self)
            try await retry.run()
            let cancel = try command(["queue", "cancel", String(ids[1]), "--reason", "obsolete"], as: Queue.Cancel.self)
            try await cancel.run()
            #expect(await eventually { tg.sent.map(\.text) == ["first"] })
            #expect(try await dead().isEmpty)
            let log = try await ledger.records(from: 1, limit: 100)
            let retried = try #require(log.first { $0.kind == .deadRetried })
            let discarded = try #require(log.first { $0.kind == .deadDiscarded })
            #expect(retried.approver?.hasPrefix("uid \(getuid())") == true && retried.reason == "bot re-added")
            #expect(discarded.approver?.hasPrefix("uid \(getuid())") == true && discarded.reason == "obsolete")
            #expect(log.filter { $0.outcome == .delivered }.count == 1)
            let show = try command(["queue"], as: Queue.Show.self)
            try await show.run()
        }
    }

    @Test func aDecisionNeedsAReason() async throws {
        try await running { _ in
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "m4", text: "机密 x"))
            #expect(await eventually { try await heldIDs().count == 1 })
            let id = try #require(try await heldIDs().first)
            await #expect(throws: CommandFailure.self) {
                _ = try await AdminClient(socket: socket).post("/holds/\(id)/approve", AdminWire.Decision(reason: "  "), as: AdminWire.Decided.self)
            }
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct JournalLogHandlerTests {
    @Test func toTheJournalEachEventIsOneLineWithItsPriorityAndSortedKeys() {
        let line = JournalLogHandler.line(
            level: .warning,
            message: "two\nlines",
            metadata: ["gh.route": "news", "gh.crossing": "12"],
            source: "GatehouseRuntime",
            label: "gatehouse",
            journal: true,
            time: Date(timeIntervalSince1970: 0)
        )
        #expect(line == "<4>gatehouse: warning: gh.crossing=12 gh.route=news [GatehouseRuntime] two\\nlines\n")
        #expect(JournalLogHandler.priority(of: .critical) == 2 && JournalLogHandler.priority(of: .debug) == 7)
        let plain = JournalLogHandler.line(
            level: .info,
            message: "ready",
            metadata: [:],
            source: "S",
            label: "g",
            journal: false,
            time: Date(timeIntervalSince1970: 0)
        )
        #expect(plain == "1970-01-01T00:00:00.000Z g: info: [S] ready\n")
        // A JOURNAL_STREAM that does not name this process's stderr is not the journal.
        #expect(!JournalLogHandler.isJournal(environment: ["JOURNAL_STREAM": "1:1"]))
        #expect(!JournalLogHandler.isJournal(environment: [:]))
    }
}

/// What an approver is shown, each hole closed: a hold shown without why it was held, where its
/// links lead or what files go with it, and a sender's escape sequences run on the terminal.
@Suite(.timeLimit(.minutes(2))) struct AdversarialHoldsShowTests {
    @Test func anApproverSeesTheFindingsEveryLinkAndFileAndNoRawControlCharacters() async throws {
        let admin = AdminCommandTests()
        try await admin.running { _ in
            var envelope = Fixtures.envelope(
                platform: "corp",
                conversation: "cidA",
                messageID: "m1",
                text: "机密 \u{1B}[2J\u{1B}]0;approved\u{07}see evil.example and https://acme.example/x\u{202E}fdp.exe"
            )
            envelope.body.spans = [Span(offset: 0, length: 2, style: .link("https://hidden.example/login"))]
            envelope.attachments = [.init(reference: "f1", name: "invoice\u{1B}[31m.pdf", mimeType: "application/pdf", bytes: 2048)]
            admin.corp.post(envelope)
            #expect(await eventually { try await admin.heldIDs().count == 1 })
            let id = try #require(try await admin.heldIDs().first)
            let hold = try await AdminClient(socket: admin.socket).get("/holds/\(id)", as: AdminWire.Job.self)
            #expect(hold.findings?.map(\.detector) == ["keyword"])
            #expect(hold.links?.contains("https://hidden.example/login") == true)
            #expect(hold.links?.contains { $0.hasPrefix("https://acme.example/x") } == true)
            #expect(hold.attachments?.first?.bytes == 2048)
            let shown = Holds.Show.render(hold)
            #expect(!shown.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{202E}" })
            #expect(shown.contains("\\u{1B}[2J") && shown.contains("\\u{202E}fdp.exe"))
            #expect(shown.contains("secret-words: keyword, at 0+2"))
            #expect(shown.contains("https://hidden.example/login"))
            #expect(shown.contains("invoice\\u{1B}[31m.pdf, application/pdf, 2048 bytes"))
            #expect(shown.contains("sender "))
        }
    }
}
