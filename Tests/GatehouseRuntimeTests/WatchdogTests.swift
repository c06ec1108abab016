import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Logging
import Synchronization
import Testing

@testable import GatehouseRuntime

@Suite(.timeLimit(.minutes(2))) struct WatchdogTests {
    @Test func theNotifySocketAndWatchdogComeFromTheEnvironment() {
        #expect(!SystemdNotifier(environment: [:]).isEnabled)
        let managed = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "30000000"])
        #expect(managed.isEnabled && managed.watchdogInterval == .seconds(30))
        // A watchdog meant for another process (WATCHDOG_PID) is not this one's to feed.
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "@abstract", "WATCHDOG_USEC": "1000", "WATCHDOG_PID": "1"]).watchdogInterval == nil)
        #expect(!SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/x"]).notify("READY=1"))
    }

    @Test func theStatusLineSaysWhatIsQueuedHeldAndCheckpointed() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let summary = LedgerSummary(
            outbox: [.pending: 2, .deferred: 1, .held: 4, .dead: 1, .delivered: 90],
            records: 120,
            checkpointed: 100,
            lastCheckpoint: now.addingTimeInterval(-42)
        )
        #expect(
            Watchdog.status(routes: 3, summary: summary, now: now)
                == "3 routes; 3 queued, 4 held, 1 dead; 120 audit records, last checkpoint 42s ago at 100 records"
        )
        #expect(Watchdog.status(routes: 1, summary: nil, now: now) == "1 routes; ledger unreadable")
    }

    @Test func theManagerHearsReadyThenWatchdogPingsWithTheStatusThenStopping() async throws {
        let socket = try NotifySocket()
        let ledger = FlakyLedger(try Fixtures.memoryLedger())
        let corp = FakeAdapter(platform: "corp")
        let config = try ConfigLoader(environment: [:]).load(yaml: GatewayTests.yaml, file: "test.yaml")
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "400000"])
        let gateway = Gateway(
            config: config,
            ledger: ledger,
            adapters: [corp, FakeAdapter(platform: "tg")],
            notifier: notifier,
            logger: quietLogger("test")
        )
        let messages = Recorder<String>()
        try await withServices(gateway.services) {
            #expect(
                await eventually {
                    for message in socket.received() { messages.append(message) }
                    return messages.values.count >= 3
                }
            )
            let first = try #require(messages.values.first)
            #expect(first.hasPrefix("READY=1\nSTATUS=2 routes; 0 queued, 0 held, 0 dead; "))
            #expect(messages.values.dropFirst().filter { $0.hasPrefix("WATCHDOG=1\nSTATUS=2 routes;") }.count >= 2)
            // A writer that stops answering gets no more pings: the manager will restart the process.
            ledger.stallWriter(true)
            try await Task.sleep(for: .milliseconds(300))
            _ = socket.received()
            try await Task.sleep(for: .milliseconds(700))
            let stalled = socket.received()
            #expect(!stalled.contains { $0.contains("WATCHDOG=1") })
            #expect(stalled.contains { $0.contains("STATUS=stalled") })
            ledger.stallWriter(false)
        }
        #expect(socket.received().last?.hasPrefix("STOPPING=1") == true)
    }

    @Test func readyWaitsForEachAdaptersFirstAttempt() async throws {
        let socket = try NotifySocket()
        let slow = SlowStarter(platform: "corp")
        let watchdog = Watchdog(
            notifier: SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path]),
            ledger: try Fixtures.memoryLedger(),
            adapters: [slow],
            store: ConfigStore(try ConfigLoader(environment: [:]).load(yaml: GatewayTests.yaml, file: "test.yaml")),
            logger: quietLogger("test")
        )
        try await withServices([watchdog]) {
            try await Task.sleep(for: .milliseconds(200))
            #expect(socket.received().isEmpty)
            slow.started?.fire()
            #expect(await eventually { socket.received().first?.hasPrefix("READY=1") == true })
        }
    }
}

/// An adapter whose first connection attempt takes as long as the test says.
private struct SlowStarter: Adapter {
    let platform: String
    let started: StartSignal? = StartSignal()

    func receive(_ handler: @escaping InboundHandler) async throws {
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(1)) }
    }

    func send(_ message: OutboundMessage, progress: PartProgress) async throws -> [String] { [] }
    func edit(_ nativeIDs: [String], with message: OutboundMessage, progress: PartProgress) async throws -> [String] { [] }
    func delete(_ nativeIDs: [String], in channel: Channel, priority: DeliveryPriority) async throws {}
}
