import ArgumentParser
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import Testing

@testable import GatehouseCommands

/// `gatehouse announce` against a running gateway: now, scheduled, cancelled, across a restart.
@Suite(.timeLimit(.minutes(2))) struct AnnounceCommandTests {
    let socket = FileManager.default.temporaryDirectory.appendingPathComponent("gh-announce-\(UUID().uuidString.prefix(8)).sock").path
    let corp = FakeAdapter(platform: "corp")
    let tg = FakeAdapter(platform: "tg")

    var yaml: String {
        fakePlatformsYAML(socket: socket) + """
            channels:
              all-hands: { platform: corp, conversation: cidA }
              news: { platform: tg, chat: -1001, tz: Asia/Shanghai }
              partners: { platform: tg, chat: -1002, tz: Europe/Berlin }
            checks:
              secret-words: { keywords: [机密] }
            routes:
              - { name: announcements, from: all-hands, to: [news, partners], on: { secret-words: hold } }
            """
    }

    /// One life of the gateway; a restart is a new life with new adapters (as a new process has).
    func running(on ledger: any Ledger, adapters: [FakeAdapter]? = nil, _ body: () async throws -> Void) async throws {
        let config = try ConfigLoader(environment: [:]).load(yaml: yaml, file: "test.yaml")
        let gateway = Gateway(config: config, ledger: ledger, adapters: adapters ?? [corp, tg], logger: quietLogger("test"))
        try await withServices(gateway.services) {
            #expect(await eventually { FileManager.default.fileExists(atPath: socket) })
            try await body()
        }
    }

    func run<C: AsyncParsableCommand>(_ arguments: [String], as: C.Type = C.self) async throws {
        var command = try #require(try GatehouseCommand.parseAsRoot(arguments + ["--socket", socket]) as? C)
        try await command.run()
    }

    func scheduled() async throws -> [AdminWire.Job] {
        try await AdminClient(socket: socket).get("/scheduled")
    }

    @Test func anAnnouncementNowGoesToEveryDestinationInTheAnnouncersName() async throws {
        let ledger = try Fixtures.memoryLedger()
        try await running(on: ledger) {
            try await run(["announce", "--to", "news,partners", "--text", "Office closed on Friday"], as: Announce.self)
            #expect(await eventually { tg.sent.count == 2 })
            #expect(Set(tg.sent.map(\.channel.name)) == ["news", "partners"] && tg.sent.allSatisfy { $0.text == "Office closed on Friday" })
            // The rules of the route apply: this one waits for an approver.
            try await run(["announce", "--to", "news", "--text", "机密 roadmap"], as: Announce.self)
            #expect(await eventually { try await ledger.jobs(in: .held, limit: 10).count == 1 })
            let crossings = try await ledger.records(from: 1, limit: 100).filter { $0.kind == .crossing }
            #expect(crossings.count == 3)
            #expect(crossings.allSatisfy { $0.origin?.senderID.hasPrefix("uid \(getuid())") == true && $0.origin?.channel == Gate.announceSource })
        }
        #expect(tg.sent.count == 2)
    }

    @Test func aScheduledAnnouncementWaitsIsListedAndCanBeCancelledWithAReason() async throws {
        let ledger = try Fixtures.memoryLedger()
        try await running(on: ledger) {
            try await run(["announce", "--to", "news,partners", "--text", "Q3 results", "--local-time", "09:00"], as: Announce.self)
            let waiting = try await scheduled()
            #expect(waiting.count == 2)
            // 09:00 in Berlin is 7 hours after 09:00 in Shanghai (6 in summer); each the next one
            // there, so one may be a day later than the other.
            let due = Dictionary(uniqueKeysWithValues: waiting.compactMap { job in job.due.map { (job.destination, $0) } })
            let apart = try #require(due["partners"]).timeIntervalSince(try #require(due["news"]))
            let hours = (Int(apart) % 86_400 + 86_400) % 86_400 / 3600
            #expect(hours == 7 || hours == 6)
            #expect(waiting.allSatisfy { ($0.due ?? .distantPast) > Date() && ($0.due ?? .distantFuture) <= Date().addingTimeInterval(86_400) })
            let status: AdminWire.Status = try await AdminClient(socket: socket).get("/status")
            #expect(status.line.hasPrefix("1 routes; 0 queued, 0 held, 0 dead, 2 scheduled;") && status.outbox["scheduled"] == 2)
            let rows: [AdminWire.QueueRow] = try await AdminClient(socket: socket).get("/queue")
            #expect(rows.map { $0.scheduled ?? 0 } == [1, 1] && rows.allSatisfy { $0.pending == 0 })
            try await run(["queue", "scheduled"], as: Queue.Scheduled.self)
            let news = try #require(waiting.first { $0.destination == "news" })
            try await run(["queue", "cancel", String(news.id), "--reason", "sent by hand"], as: Queue.Cancel.self)
            let left = try await scheduled().map(\.destination)
            #expect(left == ["partners"])
            let cancelled = try #require(try await ledger.records(from: 1, limit: 100).first { $0.outcome == .cancelled })
            #expect(cancelled.approver?.hasPrefix("uid \(getuid())") == true && cancelled.reason == "sent by hand" && cancelled.destination == "news")
            // Nothing went early.
            try await Task.sleep(for: .milliseconds(200))
            #expect(tg.sent.isEmpty)
        }
    }

    @Test func aScheduledAnnouncementSurvivesARestartAndGoesAtItsTime() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var due = Date()
        try await running(on: try SQLLedger(directory: directory, contentKey: .ephemeral())) {
            // Due a few seconds after this life ends, however slowly it stops.
            due = Date().addingTimeInterval(5)
            let at = due.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
            try await run(["announce", "--to", "news", "--text", "Q3 results", "--at", at], as: Announce.self)
            let waiting = try await scheduled()
            #expect(waiting.count == 1)
        }
        #expect(tg.sent.isEmpty)
        // A new life on the same state: it goes when due, once.
        let ledger = try SQLLedger(directory: directory, contentKey: .ephemeral())
        let later = FakeAdapter(platform: "tg")
        try await running(on: ledger, adapters: [FakeAdapter(platform: "corp"), later]) {
            #expect(await eventually(timeout: .seconds(30)) { later.sent.count == 1 })
            try await Task.sleep(for: .milliseconds(300))
        }
        #expect(later.sent.map(\.text) == ["Q3 results"])
        let delivered = try #require(try await ledger.records(from: 1, limit: 100).first { $0.outcome == .delivered })
        #expect(delivered.time >= due.addingTimeInterval(-0.001))
        let crossing = try #require(try await ledger.records(from: 1, limit: 100).first { $0.kind == .crossing })
        #expect(crossing.reason?.hasPrefix("scheduled for ") == true)
    }

    @Test func aTimeThatCannotBeMetIsRefusedAndNothingIsRecorded() async throws {
        let ledger = try Fixtures.memoryLedger()
        try await running(on: ledger) {
            await #expect(throws: (any Error).self) {
                try await run(["announce", "--to", "news", "--text", "late", "--at", "2020-01-01 09:00", "--tz", "UTC"], as: Announce.self)
            }
            await #expect(throws: (any Error).self) {
                try await run(["announce", "--to", "nowhere", "--text", "x"], as: Announce.self)
            }
            let crossings = try await ledger.records(from: 1, limit: 100).filter { $0.kind == .crossing }
            #expect(crossings.isEmpty)
        }
    }
}
