import Foundation
import GRDB
import GatehouseTesting
import Synchronization
import Testing

@testable import GatehouseLedger

/// The SQLite store's group commit: writes that wait for the writer share one transaction (and
/// one fsync), yet each behaves as a transaction of its own.
struct SQLiteStoreTests {
    /// Counts the transactions committed on a database.
    final class Commits: TransactionObserver, @unchecked Sendable {
        private let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
        func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }
        func databaseDidChange(with event: DatabaseEvent) {}
        func databaseDidCommit(_ db: Database) { count.withLock { $0 += 1 } }
        func databaseDidRollback(_ db: Database) {}
    }

    struct Refused: Error, Equatable {
        let number: Int
    }

    static func store() throws -> (SQLiteStore, DatabaseQueue, Commits) {
        let queue = try DatabaseQueue()
        try queue.write { db in try db.execute(sql: "CREATE TABLE row (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL)") }
        let commits = Commits()
        queue.add(transactionObserver: commits, extent: .databaseLifetime)
        return (SQLiteStore(writer: queue), queue, commits)
    }

    @Test func writesThatWaitShareATransactionYetEachSeesTheOnesBeforeAndFailsAlone() async throws {
        let (store, queue, commits) = try Self.store()
        let before = commits.value
        // The first write holds the writer a while: every other one queues meanwhile, and they
        // all go in the next transaction.
        let first = Task {
            try await store.write { db in
                Thread.sleep(forTimeInterval: 0.2)
                try db.run(sql: "INSERT INTO row (id, writer) VALUES (1, 0)")
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        let outcomes = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
            for writer in 1...60 {
                group.addTask {
                    do {
                        let taken = try await store.write { db -> Int in
                            // Each takes the next number as a ledger counts its sequence: the
                            // writes before it in the same transaction are visible.
                            let next = (try Int.fetchOne(db, sql: "SELECT MAX(id) FROM row") ?? 0) + 1
                            try db.run(sql: "INSERT INTO row (id, writer) VALUES (?, ?)", arguments: [next, writer])
                            // Every fifth writes and then fails: its row must not stay.
                            if writer % 5 == 0 { throw Refused(number: writer) }
                            return next
                        }
                        return (writer, .success(taken))
                    } catch {
                        return (writer, .failure(error))
                    }
                }
            }
            var outcomes: [Int: Result<Int, any Error>] = [:]
            for await (writer, result) in group { outcomes[writer] = result }
            return outcomes
        }
        try await first.value
        // Two transactions, not sixty-one: the first write's and everyone else's.
        #expect(commits.value - before <= 3)
        for (writer, result) in outcomes {
            if writer % 5 == 0 {
                #expect(throws: Refused(number: writer)) { try result.get() }
            } else {
                #expect((try? result.get()) != nil)
            }
        }
        // The refused writes left nothing, and the numbers the others took run without a gap.
        let rows = try await queue.read { db in try Row.fetchAll(db, sql: "SELECT id, writer FROM row ORDER BY id") }
        #expect(rows.map { $0["id"] as Int } == Array(1...49))
        #expect(Set(rows.map { $0["writer"] as Int }) == Set([0] + (1...60).filter { $0 % 5 != 0 }))
        let taken = outcomes.values.compactMap { try? $0.get() }.sorted()
        #expect(taken == Array(2...49))
    }

    @Test func aWriteWhoseCallerWasCancelledBeforeItRanWritesNothing() async throws {
        let (store, queue, _) = try Self.store()
        let blocker = Task {
            try await store.write { db in
                Thread.sleep(forTimeInterval: 0.2)
                try db.run(sql: "INSERT INTO row (id, writer) VALUES (1, 0)")
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        let cancelled = Task {
            try await store.write { db in try db.run(sql: "INSERT INTO row (id, writer) VALUES (2, 1)") }
        }
        try await Task.sleep(for: .milliseconds(20))
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        try await blocker.value
        #expect(try await queue.read { db in try Int.fetchAll(db, sql: "SELECT id FROM row") } == [1])
    }

    @Test func aLoneWriteIsCommittedAtOnce() async throws {
        let (store, queue, commits) = try Self.store()
        let before = commits.value
        let value = try await store.write { db -> Int in
            try db.run(sql: "INSERT INTO row (id, writer) VALUES (7, 7)")
            return 7
        }
        #expect(value == 7 && commits.value == before + 1)
        #expect(try await queue.read { db in try Int.fetchOne(db, sql: "SELECT writer FROM row") } == 7)
    }
}
