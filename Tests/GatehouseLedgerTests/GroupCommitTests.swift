import Foundation
import GRDB
import GatehouseCore
import GatehouseTesting
import Synchronization
import Testing

@testable import GatehouseLedger

@Suite struct GroupCommitTests {
    /// A writer that takes `delay` per transaction and remembers each transaction's batch.
    final class SlowWriter: Sendable {
        let batches = Mutex<[[Int]]>([])
        let delay: Duration
        init(delay: Duration) { self.delay = delay }
        func write(_ work: [Int]) async throws -> [String] {
            batches.withLock { $0.append(work) }
            try await Task.sleep(for: delay)
            return work.map { "done \($0)" }
        }
    }

    @Test func aLoneCallerIsWrittenAtOnceInItsOwnTransaction() async throws {
        let writer = SlowWriter(delay: .zero)
        let group = GroupCommit<Int, String> { try await writer.write($0) }
        #expect(try await group.submit([7]) == ["done 7"])
        #expect(try await group.submit([8, 9]) == ["done 8", "done 9"])
        #expect(writer.batches.withLock { $0 } == [[7], [8, 9]])
    }

    @Test func concurrentCallersShareTransactionsAndEachGetsItsOwnOutcomes() async throws {
        let writer = SlowWriter(delay: .milliseconds(20))
        let group = GroupCommit<Int, String> { try await writer.write($0) }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for caller in 0..<50 {
                tasks.addTask {
                    let work = [caller * 10, caller * 10 + 1]
                    let outcomes = try await group.submit(work)
                    #expect(outcomes == work.map { "done \($0)" })
                }
            }
            try await tasks.waitForAll()
        }
        let batches = writer.batches.withLock { $0 }
        #expect(batches.flatMap { $0 }.count == 100)
        // While one transaction is being written the others queue up behind it.
        #expect(batches.count < 10)
        // A caller's work is never split across transactions, and stays in order.
        for batch in batches {
            for index in stride(from: 0, to: batch.count, by: 2) { #expect(batch[index + 1] == batch[index] + 1) }
        }
    }

    @Test func aFailedTransactionFailsEveryCallerInItAndTheNextOneIsWritten() async throws {
        struct DiskFull: Error {}
        let fail = Mutex(true)
        let group = GroupCommit<Int, Int> { work in
            if fail.withLock({ failing in
                defer { failing = false }
                return failing
            }) {
                throw DiskFull()
            }
            return work
        }
        await #expect(throws: DiskFull.self) { try await group.submit([1]) }
        #expect(try await group.submit([2]) == [2])
    }

    @Test func oneTransactionTakesAtMostTheLimit() async throws {
        let writer = SlowWriter(delay: .milliseconds(10))
        let group = GroupCommit<Int, String>(limit: 4) { try await writer.write($0) }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for caller in 0..<20 { tasks.addTask { _ = try await group.submit([caller, caller]) } }
            try await tasks.waitForAll()
        }
        #expect(writer.batches.withLock { $0 }.allSatisfy { $0.count <= 4 })
    }
}

@Suite struct LedgerGroupCommitTests {
    func intake(_ id: String) -> Intake {
        Intake(
            envelope: Fixtures.envelope(platform: "corp", conversation: "cid", messageID: id, text: id),
            crossings: [Crossing(route: "r", source: "src", destination: "news", direction: .outbound, verdict: .forward, findings: [], text: id)],
            configRevision: "rev",
            receivedAt: Date()
        )
    }

    @Test(arguments: LedgerBackend.available) func eventsCommittedTogetherKeepTheirOrderAndAreDeduplicated(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let results = try await ledger.commit(["m1", "m2", "m1", "m3"].map(intake))
        let sequences = results.map { result -> [Int64] in
            guard case .success(.committed(let records, _)) = result else { return [] }
            return records.map(\.sequence)
        }
        #expect(sequences == [[1], [2], [], [3]])
        #expect(try results[2].get() == .duplicate)
        #expect(try await ledger.jobs(in: .pending, limit: 10).map(\.originMessage) == ["m1", "m2", "m3"])
    }

    @Test(arguments: LedgerBackend.available) func anEventThatCannotBeWrittenFailsAloneAndLeavesNoTrace(_ backend: LedgerBackend) async throws {
        let log = try await backend.open()
        let ledger = log.ledger
        // A poisoned event makes its write fail halfway, after its inbound row went in.
        switch backend {
        case .sqlite:
            try await log.execute(
                """
                CREATE TRIGGER poison BEFORE INSERT ON outbox WHEN NEW.origin_message = 'poison'
                BEGIN SELECT RAISE(ABORT, 'injected failure'); END
                """
            )
        case .postgres:
            try await log.execute(
                """
                CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.origin_message = 'poison' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$
                """
            )
            try await log.execute("CREATE TRIGGER poison BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION poison()")
        }
        let results = try await ledger.commit(["m1", "poison", "m2"].map(intake))
        #expect((try? results[0].get()) != nil && (try? results[2].get()) != nil)
        #expect(throws: (any Error).self) { try results[1].get() }
        // Nothing of the failed event remains, so its redelivery is not taken for a duplicate.
        #expect(try await ledger.records(from: 1, limit: 10).map { $0.origin?.messageID } == ["m1", "m2"])
        try await log.execute(backend == .sqlite ? "DROP TRIGGER poison" : "DROP TRIGGER poison ON outbox")
        guard case .committed = try await ledger.commit(intake("poison")) else {
            Issue.record("the redelivered event was taken for a duplicate")
            return
        }
    }
}
