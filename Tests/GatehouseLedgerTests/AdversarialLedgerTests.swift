import Foundation
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Testing

/// What the ledger keeps on disk and who may open it, each hole closed: erased bodies left in
/// free pages and the WAL, a dedup table that only grows, two gateways on one directory.
@Suite struct AdversarialLedgerTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    func commit(_ ledger: SQLLedger, _ id: String, _ text: String, at time: Date) async throws {
        _ = try await ledger.commit(
            Intake(
                envelope: Fixtures.envelope(platform: "corp", conversation: "cid", messageID: id, text: text),
                crossings: [
                    Crossing(route: "r", source: "src", destination: "vault", direction: .outbound, verdict: .block, findings: [], text: "» \(text)")
                ],
                configRevision: "rev",
                receivedAt: time
            )
        )
    }

    @Test func anErasedBodyIsGoneFromTheFilesNotOnlyFromTheTables() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let secret = "ACCOUNT-7731-0042-SECRET-BODY"
        let ledger = try SQLLedger(directory: directory, contentKey: .ephemeral())
        try await commit(ledger, "m1", String(repeating: secret + " ", count: 50), at: start.addingTimeInterval(-500 * 86_400))
        try await commit(ledger, "m2", "kept", at: start)
        let erased = try await ledger.eraseContent(before: start.addingTimeInterval(-400 * 86_400), reason: "retention", at: start, limit: 10)
        #expect(erased.count == 1)
        for file in ["ledger.sqlite", "ledger.sqlite-wal"] {
            let bytes = FileManager.default.contents(atPath: directory + "/" + file) ?? Data()
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) still holds an erased body")
        }
    }

    @Test(arguments: LedgerBackend.available) func dedupRowsArePrunedByAgeAndRecentOnesStillDeduplicate(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        try await commit(ledger, "old", "a", at: start.addingTimeInterval(-8 * 86_400))
        try await commit(ledger, "new", "b", at: start)
        #expect(try await ledger.pruneInbound(before: start.addingTimeInterval(-7 * 86_400)) == 1)
        let again = try await ledger.commit(
            Intake(
                envelope: Fixtures.envelope(platform: "corp", conversation: "cid", messageID: "new", text: "b"),
                crossings: [],
                configRevision: "rev",
                receivedAt: start
            )
        )
        #expect(again == .duplicate)
    }

    @Test func aSecondGatewayOnOneStateDirectoryIsRefusedAndTheLockDiesWithItsHolder() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let first = try StateLock(directory: directory)
            #expect {
                try StateLock(directory: directory)
            } throws: { "\($0)".contains("another gatehouse is running on the state directory") }
            withExtendedLifetime(first) {}
        }
        // Released with its holder: the next one starts.
        #expect(throws: Never.self) { _ = try StateLock(directory: directory) }
    }

    @Test(arguments: LedgerBackend.available) func aRetriedDeadLetterKeepsItsDecisionTimeSoAMovedChannelGuardStillCatchesIt(
        _ backend: LedgerBackend
    ) async throws {
        let ledger = try await backend.ledger()
        let decided = start
        _ = try await ledger.commit(
            Intake(
                envelope: Fixtures.envelope(platform: "corp", conversation: "cid", messageID: "m1", text: "for the old partners chat"),
                crossings: [
                    Crossing(route: "r", source: "src", destination: "partners", direction: .outbound, verdict: .forward, findings: [], text: "t")
                ],
                configRevision: "rev",
                receivedAt: decided
            )
        )
        let job = try #require(try await ledger.head(of: "partners"))
        _ = try await ledger.recordDead(job, reason: "chat not found", at: decided.addingTimeInterval(60))
        // The channel is pointed elsewhere by a reload, then an operator retries the dead letter.
        let moved = decided.addingTimeInterval(120)
        _ = try await ledger.decideDead(job, retry: true, by: "uid 0 (root)", reason: "try again", at: decided.addingTimeInterval(180))
        let retried = try #require(try await ledger.job(id: job.id))
        #expect(retried.decidedAt == job.decidedAt)
        #expect(retried.createdAt > moved)
        let cancelled = try await ledger.cancelJobs(
            outside: [],
            inflight: true,
            destination: "partners",
            createdBefore: moved,
            reason: "channel moved",
            at: moved.addingTimeInterval(61)
        )
        #expect(cancelled.count == 1)
        #expect(try await ledger.head(of: "partners") == nil)
    }
}
