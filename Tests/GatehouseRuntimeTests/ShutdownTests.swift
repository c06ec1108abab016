import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import Testing

/// A graceful stop (SIGTERM): intake first, sends in hand within a bound, a final checkpoint.
@Suite(.timeLimit(.minutes(2))) struct ShutdownTests {
    let ledger = FlakyLedger(try! Fixtures.memoryLedger())
    let corp = FakeAdapter(platform: "corp")
    let tg = FakeAdapter(platform: "tg")

    func gateway(drain: Duration) throws -> Gateway {
        Gateway(
            config: try ConfigLoader(environment: [:]).load(yaml: GatewayTests.yaml, file: "test.yaml"),
            ledger: ledger,
            adapters: [corp, tg],
            dispatch: .init(retry: Backoff(minimum: .milliseconds(20), maximum: .milliseconds(50)), drainTimeout: drain),
            checkpoints: .init(
                origin: "test.example/log",
                signer: try NoteSigner.generate(name: "test.example/log").signer,
                every: .seconds(3600),
                records: 100_000
            ),
            logger: quietLogger("test")
        )
    }

    @Test func aSendInHandFinishesWithinTheBoundAndTheLastCheckpointCoversIt() async throws {
        tg.delaySends(by: .milliseconds(300))
        try await withServices(try gateway(drain: .seconds(10)).services) {
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", text: "almost late"))
            #expect(await eventually { tg.attempts == 1 })
        }
        // The stop waited for the send, recorded it, and the final checkpoint covers the outcome.
        let summary = try await ledger.summary()
        #expect(summary.outbox[.delivered] == 1)
        #expect(summary.checkpointed == summary.records)
    }

    @Test func aSendThatWouldOutlastTheBoundIsCancelledAndItsJobKeptForTheRestart() async throws {
        tg.delaySends(by: .seconds(30))
        let clock = ContinuousClock()
        let started = clock.now
        try await withServices(try gateway(drain: .milliseconds(300)).services) {
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", text: "stuck"))
            #expect(await eventually { tg.attempts == 1 })
        }
        #expect(clock.now - started < .seconds(10))
        // Not lost: still leased as in flight, so the next run sends it again.
        let summary = try await ledger.summary()
        #expect(summary.outbox[.inflight] == 1)
        #expect(corp.acknowledged.count == 1)
        #expect(summary.checkpointed == summary.records)
    }

    /// A platform that pushes each event once: at the stop it still holds one it was pushed.
    struct PushOnceAdapter: Adapter {
        let platform = "corp"
        let stood = StartSignal()
        let held: Envelope

        var standsDown: Bool { true }

        func standDown() async { stood.fire() }

        func receive(_ handler: @escaping InboundHandler) async throws {
            await stood.wait()
            try Task.checkCancellation()
            // The connection closed; what came before the close is handed over, then intake ends.
            try await handler([InboundEvent(envelope: held, acknowledgement: Acknowledgement({}))])
        }

        func send(_ message: OutboundMessage, progress: PartProgress) async throws -> [String] { ["1"] }
        func edit(_ nativeIDs: [String], with message: OutboundMessage, progress: PartProgress) async throws -> [String] { nativeIDs }
        func delete(_ nativeIDs: [String], in channel: GatehouseCore.Channel, priority: DeliveryPriority) async throws {}
    }

    @Test func aCleanStopCommitsWhatAPlatformThatPushesOnceHadAlreadySent() async throws {
        let pushedOnce = PushOnceAdapter(held: Fixtures.envelope(platform: "corp", conversation: "cidA", text: "sent just before the stop"))
        let gateway = Gateway(
            config: try ConfigLoader(environment: [:]).load(yaml: GatewayTests.yaml, file: "test.yaml"),
            ledger: ledger,
            adapters: [pushedOnce, tg],
            logger: quietLogger("test")
        )
        try await withServices(gateway.services) {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(pushedOnce.stood.hasFired)
        let crossings = try await ledger.records(from: 1, limit: 100).filter { $0.kind == .crossing }
        #expect(crossings.count == 1 && crossings.first?.route == "announcements")
    }
}
