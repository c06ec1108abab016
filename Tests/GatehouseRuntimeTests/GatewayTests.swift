import AsyncHTTPClient
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import Logging
import MetricsTestKit
import Testing

@Suite(.timeLimit(.minutes(2))) struct GatewayTests {
    static let yaml = """
        platforms:
          corp: { type: dingtalk, side: internal, client_id: d, client_secret: s }
          tg: { type: telegram, side: external, token: "1:x" }
        channels:
          all-hands: { platform: corp, conversation: cidA }
          desk: { platform: corp, conversation: cidD }
          news: { platform: tg, chat: -1001 }
          support: { platform: tg, chat: -1002 }
        routes:
          - { name: announcements, from: all-hands, to: [news], template: "📢 {text} — {sender.name}" }
          - { name: customers-in, from: support, to: [desk], template: "[{channel}] {sender.name}: {text}", mirror: [edit] }
        """

    let config: GatewayConfig
    let ledger: FlakyLedger
    let corp = FakeAdapter(platform: "corp")
    let tg = FakeAdapter(platform: "tg")

    init() throws {
        config = try ConfigLoader(environment: [:]).load(yaml: "listen: { http: \"127.0.0.1:0\" }\n" + Self.yaml, file: "test.yaml")
        ledger = FlakyLedger(try Fixtures.memoryLedger())
    }

    /// Runs the service graph around `body`, then shuts it down gracefully.
    func running(_ body: () async throws -> Void) async throws {
        try await running { _ in try await body() }
    }

    func running(
        checkpoints: Checkpointer.Configuration? = nil,
        metrics: TestMetrics = TestMetrics(),
        logger: Logger? = nil,
        clock: WallClock = .system,
        _ body: (Gateway) async throws -> Void
    ) async throws {
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let gateway = Gateway(
            config: config,
            ledger: ledger,
            adapters: [corp, tg],
            dispatch: .init(retry: Backoff(minimum: .milliseconds(20), maximum: .milliseconds(100)), metrics: metrics),
            checkpoints: checkpoints,
            clock: clock,
            logger: logger ?? quiet
        )
        try await withServices(gateway.services) { try await body(gateway) }
    }

    func records() async throws -> [AuditRecord] {
        try await ledger.records(from: 1, limit: 1000)
    }

    @Test func bothDirectionsAreDeliveredAcknowledgedAndAuditedOnce() async throws {
        try await running {
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "a1", text: "Q3 is out", senderName: "王经理"))
            tg.post(Fixtures.envelope(platform: "tg", conversation: "-1002", messageID: "t1", text: "where is my order?", senderName: "Li"))
            #expect(await eventually { tg.sent.count == 1 && corp.sent.count == 1 })
            #expect(await eventually { try await records().count == 5 })
        }
        #expect(tg.sent.map(\.text) == ["📢 Q3 is out — 王经理"])
        #expect(tg.sent.first?.channel.name == "news")
        #expect(corp.sent.map(\.text) == ["[support] Li: where is my order?"])
        #expect(corp.acknowledged == ["a1"] && tg.acknowledged == ["t1"])
        let log = try await records()
        let crossings = log.filter { $0.kind == .crossing }
        #expect(Set(crossings.map(\.direction)) == [.outbound, .inbound])
        #expect(crossings.allSatisfy { $0.configRevision == config.revision && $0.verdict == .forward })
        let deliveries = log.filter { $0.kind == .delivery }
        #expect(deliveries.map(\.outcome) == [.delivered, .delivered])
        #expect(Set(deliveries.compactMap(\.crossing)) == Set(crossings.map(\.sequence)))
        // Write-ahead: every delivery record comes after the crossing it concludes.
        for delivery in deliveries {
            #expect((delivery.crossing ?? .max) < delivery.sequence)
        }
    }

    @Test func aRedeliveredEventIsAcknowledgedButDecidedAndSentOnce() async throws {
        try await running {
            let envelope = Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "a1", text: "once")
            corp.post(envelope)
            corp.post(envelope)
            #expect(await eventually { corp.acknowledged.count == 2 && tg.sent.count == 1 })
        }
        #expect(tg.sent.count == 1)
        #expect(try await records().filter { $0.kind == .crossing }.count == 1)
    }

    @Test func anEventWhoseCommitFailsIsNeitherAcknowledgedNorSent() async throws {
        ledger.failNextCommits(1)
        try await running {
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "lost?", text: "x"))
            #expect(await eventually { corp.handlerErrors.count == 1 })
            #expect(tg.sent.isEmpty && corp.acknowledged.isEmpty)
            // The platform redelivers what was not acknowledged; this time the commit succeeds.
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "lost?", text: "x"))
            #expect(await eventually { tg.sent.count == 1 })
        }
        #expect(corp.handlerErrors == ["disk I/O error (injected)"])
        #expect(corp.acknowledged == ["lost?"])
        #expect(try await records().filter { $0.kind == .crossing }.count == 1)
    }

    @Test func aFailedAcknowledgementAfterCommitIsNotAnIntakeFailure() async throws {
        corp.failAcknowledgements()
        try await running {
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "a1", text: "committed"))
            #expect(await eventually { tg.sent.count == 1 })
        }
        #expect(corp.handlerErrors.isEmpty)
        #expect(try await records().filter { $0.kind == .crossing }.count == 1)
    }

    @Test func transientFailuresAreRetriedUntilDelivered() async throws {
        tg.failNextSends(with: [DeliveryError.unavailable("502 Bad Gateway"), DeliveryError.rateLimited(retryAfter: .milliseconds(50), "429")])
        let metrics = TestMetrics()
        try await running(metrics: metrics) { _ in
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", text: "persist"))
            #expect(await eventually { tg.sent.count == 1 })
            #expect(await eventually { try await records().last?.outcome == .delivered })
        }
        let outcomes = try await records().compactMap(\.outcome)
        #expect(outcomes == [.deferred, .deferred, .delivered])
        #expect(try await records().compactMap(\.attempt) == [1, 2, 3])
        #expect(try await records().first?.kind == .configLoaded)
        #expect(tg.attempts == 3)
        #expect(try metrics.expectCounter("gatehouse_rate_limited_total", [("platform", "tg")]).totalValue == 1)
    }

    @Test func permanentFailuresAreDeadLetteredNotRetriedCountedAndLoggedWithRouteAndChat() async throws {
        tg.failNextSends(with: [DeliveryError.unauthorized("sendMessage: 403 Forbidden: bot was kicked")])
        let metrics = TestMetrics()
        let logs = LogRecorder()
        try await running(metrics: metrics, logger: logs.logger("gateway")) { _ in
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", text: "x"))
            #expect(await eventually { try await records().last?.outcome == .dead })
        }
        let dead = try #require(try await records().last)
        #expect(dead.reason == "unauthorized: sendMessage: 403 Forbidden: bot was kicked")
        #expect(tg.attempts == 1)
        #expect(try await ledger.jobs(in: .dead, limit: 10).count == 1)
        // The operator's view: one error line naming the route and the chat, and a counter.
        let lines = logs.entries(atLeast: .error).filter { $0.message.hasPrefix("dead-lettered") }
        #expect(lines.count == 1)
        #expect(lines.first?.metadata["gh.route"] == "announcements")
        #expect(lines.first?.metadata["gh.address"] == "chat -1001")
        let counter = try metrics.expectCounter("gatehouse_deliveries_total", [("platform", "tg"), ("outcome", "dead"), ("error", "unauthorized")])
        #expect(counter.totalValue == 1)
    }

    @Test func everyTimeInTheAuditLogIsReadFromTheGatewaysClock() async throws {
        // A clock years ahead of the machine's: every record says its time, none the machine's.
        let then = Date(timeIntervalSince1970: 1_924_992_000)
        try await running(clock: WallClock { then }) { _ in
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "m1", text: "hello", senderName: "A"))
            #expect(await eventually { (try? await records().contains { $0.outcome == .delivered }) == true })
        }
        let log = try await records()
        #expect(Set(log.map(\.kind)) == [.configLoaded, .crossing, .delivery])
        #expect(log.allSatisfy { $0.time == then })
    }

    @Test func serviceMessagesAndWithRecordUnroutedUnroutedMessagesAreSummedUpInTheLogAsIgnored() async throws {
        let credentials = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: credentials) }
        try "PRIVATE+KEY+acme.example/gatehouse+12345678+AQ==".write(toFile: credentials + "/audit-key", atomically: true, encoding: .utf8)
        let config = try ConfigLoader(environment: ["CREDENTIALS_DIRECTORY": credentials]).load(
            yaml: "audit: { origin: acme.example/gatehouse, signing_key_file: $CREDENTIALS_DIRECTORY/audit-key, record_unrouted: true }\n"
                + Self.yaml,
            file: "test.yaml"
        )
        let gateway = Gateway(config: config, ledger: ledger, adapters: [corp, tg], logger: quietLogger("test"))
        try await withServices(gateway.services) {
            var joined = Fixtures.envelope(platform: "tg", conversation: "-1002", messageID: "s1", text: "new_chat_members")
            joined.contentKind = .service
            tg.post(joined)
            tg.post(Fixtures.envelope(platform: "tg", conversation: "-1999", messageID: "x1", text: "who reads this?"))
            tg.post(Fixtures.envelope(platform: "tg", conversation: "-1999", messageID: "x2", text: "anyone?"))
            #expect(await eventually { tg.acknowledged.count == 3 })
        }
        // Nothing decided, nothing sent; one summary for the interval, written as intake stopped.
        let log = try await records()
        #expect(!log.contains { $0.kind == .crossing })
        #expect(tg.sent.isEmpty && corp.sent.isEmpty)
        let ignored = try #require(log.first { $0.kind == .ignored })
        #expect(ignored.platform == "tg")
        #expect(ignored.ignored?.reasons == [.init(reason: "service:new_chat_members", count: 1), .init(reason: "unrouted", count: 2)])
        #expect(ignored.ignored?.sources == [.init(address: "-1999", count: 2), .init(address: "-1002", count: 1)])
    }

    @Test func aMessageFromAChatNoChannelNamesIsCountedNotDecided() async throws {
        try await running { gateway in
            tg.post(Fixtures.envelope(platform: "tg", conversation: "-1999", messageID: "x1", text: "who reads this?"))
            let health = try #require(gateway.health)
            #expect(await eventually { health.boundPort != nil })
            let url = "http://127.0.0.1:\(health.boundPort ?? 0)/metrics"
            #expect(
                await eventually {
                    guard let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5)),
                        let body = try? await response.body.collect(upTo: 1 << 20)
                    else { return false }
                    return String(buffer: body).contains(#"gatehouse_unrouted_total{platform="tg"} 1"#)
                }
            )
        }
        #expect(try await records().filter { $0.kind == .crossing }.isEmpty)
    }

    @Test func eachDestinationReceivesInOrderEvenAcrossRetries() async throws {
        tg.failNextSends(with: [DeliveryError.network("connection reset")])
        try await running {
            for index in 1...5 {
                corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "m\(index)", text: "\(index)", senderName: "A"))
            }
            #expect(await eventually { tg.sent.count == 5 })
        }
        #expect(tg.sent.map(\.text) == (1...5).map { "📢 \($0) — A" })
    }

    @Test func healthzAnswersWithTheConfigRevision() async throws {
        try await running { gateway in
            let health = try #require(gateway.health)
            #expect(await eventually { health.boundPort != nil })
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(health.boundPort ?? 0)/healthz"),
                timeout: .seconds(5)
            )
            #expect(response.status == .ok)
            let body = String(buffer: try await response.body.collect(upTo: 4096))
            #expect(body.contains(#""status":"ok""#) && body.contains(config.revision))
        }
    }

    @Test func aMirroredEditReplacesWhatTheOriginalBecame() async throws {
        try await running {
            tg.post(Fixtures.envelope(platform: "tg", conversation: "-1002", messageID: "t1", text: "my order is late", senderName: "Li"))
            #expect(await eventually { corp.sent.count == 1 })
            tg.post(
                Fixtures.envelope(
                    platform: "tg",
                    conversation: "-1002",
                    messageID: "t1",
                    text: "my order #4411 is late",
                    senderName: "Li",
                    kind: .edit
                )
            )
            // A route without mirror ignores edits: the announcement route saw none.
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "a1", text: "v2", kind: .edit))
            #expect(await eventually { corp.edits.count == 1 })
        }
        #expect(corp.edits.first?.ids == ["corp-1"])
        #expect(corp.edits.first?.message.text == "[support] Li: my order #4411 is late")
        #expect(tg.sent.isEmpty)
        let log = try await records()
        #expect(log.filter { $0.kind == .crossing }.count == 2)
        #expect(log.filter { $0.outcome == .delivered }.map(\.nativeIDs) == [["corp-1"], ["corp-1"]])
    }

    @Test func checkpointsFollowTheLogAndTheLastOneCoversEverything() async throws {
        let key = try NoteSigner.generate(name: "test.example/log")
        let checkpoints = Checkpointer.Configuration(
            origin: "test.example/log",
            signer: key.signer,
            every: .seconds(3600),
            records: 2,
            poll: .milliseconds(10)
        )
        try await running(checkpoints: checkpoints) { _ in
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "a1", text: "one"))
            // Two records (crossing and delivery): the record threshold writes a checkpoint.
            #expect(await eventually { try await ledger.auditSizes().checkpointed >= 2 })
            tg.post(Fixtures.envelope(platform: "tg", conversation: "-1002", messageID: "t1", text: "two"))
            #expect(await eventually { corp.sent.count == 1 })
        }
        let sizes = try await ledger.auditSizes()
        #expect(sizes.records == 5 && sizes.checkpointed == 5)
    }

    @Test func jobsForADestinationThatLeftTheConfigAreCancelledAndAudited() async throws {
        let envelope = Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "old", text: "for a removed channel")
        _ = try await ledger.commit(
            Intake(
                envelope: envelope,
                crossings: [
                    Crossing(
                        route: "retired",
                        source: "all-hands",
                        destination: "gone",
                        direction: .outbound,
                        verdict: .forward,
                        findings: [],
                        text: "x"
                    )
                ],
                configRevision: "older",
                receivedAt: Date()
            )
        )
        try await running {
            #expect(await eventually { try await records().contains { $0.outcome == .cancelled } })
        }
        let cancelled = try #require(try await records().first { $0.outcome == .cancelled })
        #expect(cancelled.destination == "gone" && cancelled.attempt == nil && cancelled.reason == "route or destination no longer in the config")
        #expect(try await ledger.jobs(in: .cancelled, limit: 10).count == 1)
        #expect(try await ledger.head(of: "gone") == nil)
    }

    @Test func aJobFailingPastItsMaximumAgeIsDeadLettered() async throws {
        let envelope = Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "late", text: "two days late")
        _ = try await ledger.commit(
            Intake(
                envelope: envelope,
                crossings: config.gate.crossings(for: envelope),
                configRevision: config.revision,
                receivedAt: Date().addingTimeInterval(-2 * 24 * 3600)
            )
        )
        tg.failNextSends(with: [DeliveryError.unavailable("502 Bad Gateway")])
        try await running {
            #expect(await eventually { try await records().contains { $0.outcome == .dead } })
        }
        let dead = try #require(try await records().first { $0.outcome == .dead })
        #expect(dead.reason?.hasPrefix("undeliverable for longer than") == true)
        #expect(tg.attempts == 1)
    }

    @Test func jobsQueuedBeforeAStartAreDelivered() async throws {
        let envelope = Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "left-over", text: "from before")
        _ = try await ledger.commit(
            Intake(
                envelope: envelope,
                crossings: config.gate.crossings(for: envelope),
                configRevision: config.revision,
                receivedAt: Date()
            )
        )
        try await running {
            #expect(await eventually { tg.sent.count == 1 })
        }
        #expect(tg.sent.first?.idempotencyKey == "gatehouse-job-1")
    }

    @Test func aJobInFlightWhenTheGatewayStoppedIsSentAgain() async throws {
        let envelope = Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "cut-off", text: "mid-send at the crash")
        _ = try await ledger.commit(
            Intake(
                envelope: envelope,
                crossings: config.gate.crossings(for: envelope),
                configRevision: config.revision,
                receivedAt: Date()
            )
        )
        // The previous run leased the job and was killed before it could record the outcome.
        let job = try #require(try await ledger.head(of: "news"))
        _ = try await ledger.lease(job, until: Date().addingTimeInterval(300))
        try await running {
            #expect(await eventually { tg.sent.count == 1 })
            #expect(await eventually { try await records().contains { $0.outcome == .delivered } })
        }
        #expect(try await ledger.jobs(in: .inflight, limit: 10).isEmpty)
        #expect(try await ledger.jobs(in: .delivered, limit: 10).map(\.id) == [job.id])
    }

    @Test func aHeldCrossingWaitsOutsideTheQueue() async throws {
        let envelope = Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "held", text: "needs approval")
        _ = try await ledger.commit(
            Intake(
                envelope: envelope,
                crossings: [
                    Crossing(
                        route: "announcements",
                        source: "all-hands",
                        destination: "news",
                        direction: .outbound,
                        verdict: .hold,
                        findings: [],
                        text: "x"
                    )
                ],
                configRevision: config.revision,
                receivedAt: Date()
            )
        )
        let later = Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "after", text: "not held")
        try await running {
            corp.post(later)
            #expect(await eventually { tg.sent.count == 1 })
        }
        #expect(tg.sent.map(\.text) == ["📢 not held — \(later.sender.name)"])
        #expect(try await ledger.jobs(in: .held, limit: 10).map(\.originMessage) == ["held"])
    }
}
