// The ledger's throughput on this machine's disk: durable crossings per second (synchronous=FULL:
// one event alone per transaction, and under load with group commit, where concurrent intake shares
// transactions), and audit verify's leaves per second over a log of 100,000 records.
//
// Each durable-crossing benchmark runs on SQLite and, when GATEHOUSE_BENCH_POSTGRES names a server
// (postgres://user:password@127.0.0.1:PORT/db — Tests/Tools/postgres.sh starts one), on PostgreSQL
// too, side by side: a fresh schema each run, fsync on, synchronous_commit on (the defaults).

import Benchmark
import Foundation
import GatehouseCore
import GatehouseLedger

func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-bench-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func intake(_ index: Int) -> Intake {
    let envelope = Envelope(
        origin: .init(platform: "corp", conversation: "cidA", messageID: "m\(index)-\(UUID().uuidString)", eventID: "e\(index)-\(UUID().uuidString)"),
        sender: .init(id: "u1", name: "王经理"),
        body: .init(text: "Q3 results are out: revenue up 12% 第三季度业绩"),
        time: Date()
    )
    let crossing = Crossing(
        route: "announcements",
        source: "all-hands",
        destination: "news",
        direction: .outbound,
        verdict: .forward,
        findings: [],
        text: "📢 Q3"
    )
    return Intake(envelope: envelope, crossings: [crossing], configRevision: "bench", receivedAt: Date())
}

/// The PostgreSQL server to measure against, if any.
let postgres: PostgresLocation? = ProcessInfo.processInfo.environment["GATEHOUSE_BENCH_POSTGRES"].flatMap { try? PostgresLocation(url: $0) }

/// A durable-crossing benchmark on each backend: a fresh ledger (a SQLite file on disk, a new
/// PostgreSQL schema), and `body` committing into it measured.
func durableCrossings(_ name: String, _ body: @escaping @Sendable (SQLLedger) async throws -> Void) {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput],
        timeUnits: .milliseconds,
        maxDuration: .seconds(20),
        maxIterations: 10
    )
    Benchmark("Durable crossings, SQLite: \(name)", configuration: configuration) { benchmark in
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try SQLLedger(directory: directory, contentKey: .ephemeral())
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { try await body(ledger) }
        benchmark.stopMeasurement()
    }
    guard let postgres else { return }
    Benchmark("Durable crossings, PostgreSQL: \(name)", configuration: configuration) { benchmark in
        let schema = "bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        var location = postgres
        location.schema = schema
        let store = try await PostgresStore.open(location)
        let ledger = SQLLedger(store: store, contentKey: .ephemeral())
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { try await body(ledger) }
        benchmark.stopMeasurement()
        try await store.write { db in try db.run(sql: "DROP SCHEMA \(schema) CASCADE") }
        try await store.close()
    }
}

let benchmarks: @Sendable () -> Void = {
    durableCrossings("one event per transaction, synchronous=FULL (1,000 events)") { ledger in
        for index in 0..<1_000 { blackHole(try await ledger.commit(intake(index))) }
    }

    durableCrossings("group commit, 100 concurrent sources one event at a time (10,000 events)") { ledger in
        try await withThrowingDiscardingTaskGroup { sources in
            for source in 0..<100 {
                sources.addTask {
                    for index in 0..<100 { blackHole(try await ledger.commit(intake(source * 100 + index))) }
                }
            }
        }
    }

    durableCrossings("group commit, 4 pollers handing over batches of 100 (10,000 events)") { ledger in
        try await withThrowingDiscardingTaskGroup { pollers in
            for poller in 0..<4 {
                pollers.addTask {
                    for batch in 0..<25 {
                        blackHole(try await ledger.commit((0..<100).map { intake(poller * 2500 + batch * 100 + $0) }))
                    }
                }
            }
        }
    }

    Benchmark(
        "audit verify: 100,000 records, one pass",
        configuration: .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal],
            timeUnits: .milliseconds,
            maxDuration: .seconds(20),
            maxIterations: 20
        ),
        closure: { benchmark in
            guard let log = verifyLog else { return }
            let reader = try LedgerReader(directory: log.directory)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let verification = try reader.verify(verifiers: [log.verifier])
                precondition(verification.intact && verification.records == 100_000)
                blackHole(verification)
            }
            benchmark.stopMeasurement()
        },
        setup: {
            // Not measured: 100,000 crossing records (committed in batches, as a busy poller
            // would) and a checkpoint over them.
            let directory = temporaryDirectory()
            let ledger = try SQLLedger(directory: directory, contentKey: .ephemeral())
            for batch in 0..<1000 { _ = try await ledger.commit((0..<100).map { intake(batch * 100 + $0) }) }
            let key = try NoteSigner.generate(name: "bench.example/log")
            _ = try await ledger.checkpoint(origin: "bench.example/log", signer: key.signer, at: Date())
            verifyLog = (directory, key.signer.verifier)
        },
        teardown: {
            if let log = verifyLog { try? FileManager.default.removeItem(atPath: log.directory) }
            verifyLog = nil
        }
    )
}

/// The log `audit verify` is measured on, built once by the benchmark's setup.
nonisolated(unsafe) var verifyLog: (directory: String, verifier: NoteVerifier)?
