import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Logging
import Prometheus
import Synchronization
import Testing

@testable import GatehouseRuntime

/// Reload: read → validate → compile → swap, all or nothing.
@Suite(.timeLimit(.minutes(2))) struct ReloadTests {
    /// The next config a reload reads: YAML to load, or nil to read the one in force again.
    final class NextConfig: Sendable {
        let yaml = Mutex<String>(GatewayTests.yaml)
        func load() throws -> GatewayConfig {
            try ConfigLoader(environment: [:]).load(yaml: yaml.withLock { $0 }, file: "test.yaml")
        }
    }

    let next = NextConfig()
    let ledger = FlakyLedger(try! Fixtures.memoryLedger())
    let corp = FakeAdapter(platform: "corp")
    let tg = FakeAdapter(platform: "tg")
    let registry = PrometheusCollectorRegistry()

    func running(notifier: SystemdNotifier = SystemdNotifier(environment: [:]), _ body: (Gateway, Reloader) async throws -> Void) async throws {
        let gateway = Gateway(
            config: try next.load(),
            ledger: ledger,
            adapters: [corp, tg],
            dispatch: .init(retry: Backoff(minimum: .milliseconds(20), maximum: .milliseconds(50))),
            notifier: notifier,
            registry: registry,
            reload: { [next] in try next.load() },
            logger: quietLogger("test")
        )
        let reloader = try #require(gateway.reloader)
        try await withServices(gateway.services) { try await body(gateway, reloader) }
    }

    func records() async throws -> [AuditRecord] {
        try await ledger.records(from: 1, limit: 1000)
    }

    @Test func aValidReloadSwapsTheRoutesAndIsAuditedWithItsRevision() async throws {
        let socket = try NotifySocket()
        try await running(notifier: SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path])) { gateway, reloader in
            // A second destination for announcements.
            next.yaml.withLock { $0 = $0.replacingOccurrences(of: "to: [news]", with: "to: [news, support]") }
            let outcome = await reloader.reload(by: "uid 7 (ops)")
            guard case .loaded(let revision, let record) = outcome else {
                Issue.record("not loaded: \(outcome)")
                return
            }
            #expect(gateway.store.current.config.revision == revision && revision != gateway.config.revision)
            let loaded = try await records().filter { $0.kind == .configLoaded }
            #expect(loaded.map(\.sequence).last == record)
            #expect(loaded.count == 2)
            // Who put it in force, as the admin socket named them; the start names no one.
            #expect(loaded.map(\.approver) == [nil, "uid 7 (ops)"])
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", text: "to both"))
            #expect(await eventually { tg.sent.count == 2 })
            #expect(Set(tg.sent.map(\.channel.name)) == ["news", "support"])
            // The manager was told: reloading (with the monotonic time), then ready again.
            #expect(await eventually { socket.received().contains { $0.hasPrefix("READY=1\nSTATUS=config revision") } })
            // Reading the same file again changes nothing.
            #expect(await reloader.reload() == .unchanged(revision: revision))
        }
    }

    @Test func anInvalidConfigLeavesTheOldOneServingAndSaysWhy() async throws {
        try await running { gateway, reloader in
            let before = gateway.store.current.config.revision
            next.yaml.withLock { $0 = $0.replacingOccurrences(of: "to: [news]", with: "to: [nowhere]") }
            let outcome = await reloader.reload()
            guard case .refused(let problems) = outcome else {
                Issue.record("not refused: \(outcome)")
                return
            }
            #expect(problems.contains { $0.contains("no channel named 'nowhere'") && $0.contains("test.yaml:") })
            #expect(gateway.store.current.config.revision == before)
            #expect(gateway.reloads.failures == 1 && gateway.reloads.lastFailure?.hasPrefix("reload failed (1 problem)") == true)
            #expect(registry.emitToString().contains("gatehouse_reload_failures_total 1"))
            // The old routes still decide.
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", text: "still here"))
            #expect(await eventually { tg.sent.map(\.channel.name) == ["news"] })
            let loaded = try await records().filter { $0.kind == .configLoaded }
            #expect(loaded.count == 1)
            // The log keeps the refusal: what was wrong, and what kept serving.
            let refused = try await records().filter { $0.kind == .configRefused }
            #expect(refused.count == 1 && refused.first?.configRevision == before)
            #expect(refused.first?.reason?.contains("no channel named 'nowhere'") == true)
        }
    }

    @Test func aChangedPlatformNeedsARestart() async throws {
        try await running { gateway, reloader in
            next.yaml.withLock { $0 = $0.replacingOccurrences(of: "token: \"1:x\"", with: "token: \"1:y\"") }
            guard case .refused(let problems) = await reloader.reload() else {
                Issue.record("not refused")
                return
            }
            #expect(problems == ["test.yaml: platforms changed; these take effect on a restart only"])
            #expect(gateway.store.current.config.revision == gateway.config.revision)
        }
    }

    @Test func aChannelThatNowPointsElsewhereGetsNoneOfTheJobsDecidedForItsOldPlace() async throws {
        tg.failNextSends(with: Array(repeating: DeliveryError.unavailable("502 Bad Gateway"), count: 1000))
        try await running { _, reloader in
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "m1", text: "for the old news chat"))
            #expect(await eventually { try await records().filter { $0.kind == .crossing }.count == 1 })
            // Same name, another chat: what was decided for the old one must not go to the new one.
            next.yaml.withLock {
                $0 = $0.replacingOccurrences(of: "news: { platform: tg, chat: -1001 }", with: "news: { platform: tg, chat: -1003 }")
            }
            guard case .loaded = await reloader.reload() else {
                Issue.record("not loaded")
                return
            }
            #expect(await eventually { try await records().contains { $0.outcome == .cancelled } })
            let cancelled = try #require(try await records().first { $0.outcome == .cancelled })
            #expect(cancelled.destination == "news" && cancelled.reason?.contains("channel changed") == true)
            // It is tried no more, anywhere: the new chat never gets it.
            let attempts = tg.attempts
            try await Task.sleep(for: .milliseconds(300))
            #expect(tg.attempts <= attempts + 1)
            #expect(try await ledger.summary().queued == 0)
        }
    }

    @Test func aRemovedRouteStopsAtOnceAndItsQueuedJobsAreCancelledAndAudited() async throws {
        // Telegram keeps failing: the announcements' jobs stay queued, retried.
        tg.failNextSends(with: Array(repeating: DeliveryError.unavailable("502 Bad Gateway"), count: 1000))
        try await running { gateway, reloader in
            for number in 1...3 {
                corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "m\(number)", text: "queued \(number)"))
            }
            #expect(await eventually { try await records().filter { $0.kind == .crossing }.count == 3 })
            // The announcements route goes; customers-in stays.
            next.yaml.withLock { yaml in
                yaml = yaml.split(separator: "\n").filter { !$0.contains("name: announcements") }.joined(separator: "\n")
            }
            guard case .loaded = await reloader.reload() else {
                Issue.record("not loaded")
                return
            }
            #expect(
                await eventually {
                    try await records().filter { $0.outcome == .cancelled }.count == 3
                }
            )
            let cancelled = try await records().filter { $0.outcome == .cancelled }
            #expect(cancelled.allSatisfy { $0.route == "announcements" && $0.reason == "route or destination no longer in the config" })
            let attempts = tg.attempts
            try await Task.sleep(for: .milliseconds(300))
            #expect(tg.attempts <= attempts + 1)
            #expect(try await ledger.summary().queued == 0)
            // The route that stayed still works.
            tg.post(Fixtures.envelope(platform: "tg", conversation: "-1002", text: "hello desk"))
            #expect(await eventually { corp.sent.map(\.text) == ["[support] : hello desk"] || corp.sent.count == 1 })
        }
    }
}
