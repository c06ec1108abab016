import AsyncHTTPClient
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import MetricsTestKit
import NIOCore
import Synchronization
import Testing

@testable import GatehouseRuntime

/// Attacks on the HTTP listener's `/hooks`, each closed: floods of forged pushes that grew the
/// append-only log by one record each, bodies read before anyone was authenticated, one source
/// taking every place.
@Suite(.timeLimit(.minutes(2))) struct AdversarialListenerTests {
    /// A platform whose pushes carry `x-secret: right`; counts the bodies it was handed.
    final class Hook: PushReceiving, Sendable {
        let platform: String
        let bodies = Mutex(0)
        /// The card clicks it was handed.
        let clicks = Mutex(0)
        /// The CPU priority (niceness) of the threads its pushes were screened on.
        let niceness = Mutex<Set<Int32>>([])

        init(platform: String = "outreach") { self.platform = platform }

        func screen(_ headers: [String: String], now: Date) -> PushAnswer? {
            #if os(Linux)
            // PRIO_PROCESS with 0: the calling thread's niceness (Linux keeps one per thread).
            let nice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            niceness.withLock { _ = $0.insert(nice) }
            #endif
            return headers["x-secret"] == "right" ? nil : .refused(.unauthorized)
        }

        /// `x-token: N` is a one-use token good for a minute.
        func token(_ headers: [String: String]) -> PushToken? {
            headers["x-token"].map { PushToken(nonce: "token:\($0)", expires: Date().addingTimeInterval(60)) }
        }

        /// A body of text is a message in the configured channel `cidA`; `{}` carries nothing.
        func decode(_ push: Push) -> PushContent {
            bodies.withLock { $0 += 1 }
            let text = String(decoding: push.body, as: UTF8.self)
            guard text != "{}" else { return .nothing }
            return .envelope(Fixtures.envelope(platform: platform, conversation: "cidA", messageID: text, text: text))
        }

        func receive(_ handler: @escaping InboundHandler) async throws {}
        func send(_ message: OutboundMessage, progress: PartProgress) async throws -> [String] { [] }
        func edit(_ nativeIDs: [String], with message: OutboundMessage, progress: PartProgress) async throws -> [String] { nativeIDs }
        func delete(_ nativeIDs: [String], in channel: GatehouseCore.Channel, priority: DeliveryPriority) async throws {}
    }

    /// The push door for `hook`, its intake deciding by the gateway tests' config into `ledger`.
    static func door(_ hook: Hook, ledger: any Ledger, limits: GatewayConfig.PushLimits = .init()) throws -> PushSurface {
        let config = try ConfigLoader(environment: [:]).load(yaml: GatewayTests.yaml, file: "test.yaml")
        let dispatcher = Dispatcher(config: config, ledger: ledger, adapters: [], logger: quietLogger("test"))
        let intake = Ingress(config: config, adapters: [hook], ledger: ledger, dispatcher: dispatcher, logger: quietLogger("test"))
        return PushSurface(adapters: [hook], limits: limits, intake: intake, metrics: TestMetrics(), logger: quietLogger("test"))
    }

    func withListener(
        _ hook: Hook,
        limits: GatewayConfig.PushLimits = .init(),
        _ body: (_ url: String, _ ledger: SQLLedger) async throws -> Void
    ) async throws -> SQLLedger {
        let ledger = try Fixtures.memoryLedger()
        var limits = limits
        // One summary, written as the listener stops, so that the tests can count it.
        limits.summaryEvery = .seconds(3600)
        let door = try Self.door(hook, ledger: ledger, limits: limits)
        let surface = HealthSurface(
            listen: HostPort("127.0.0.1:0")!,
            revision: "r",
            ledger: ledger,
            pushes: door,
            limits: limits,
            logger: quietLogger("test")
        )
        try await withServices([door.auditor(ledger: ledger), surface.service()]) {
            #expect(await eventually { surface.boundPort != nil })
            try await body("http://127.0.0.1:\(surface.boundPort ?? 0)/hooks/outreach", ledger)
        }
        return ledger
    }

    func post(_ url: String, secret: String?, body: ByteBuffer = ByteBuffer(string: "{}")) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        if let secret { request.headers.add(name: "x-secret", value: secret) }
        request.body = .bytes(body)
        return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code)
    }

    @Test func aFloodOfForgedPushesIsOneSummaryRecordNotOneRecordEach() async throws {
        let hook = Hook()
        let ledger = try await withListener(hook) { url, _ in
            var statuses: [Int] = []
            for _ in 0..<60 { statuses.append(try await post(url, secret: "wrong")) }
            statuses.append(try await post(url, secret: "right"))
            statuses.append(try await post(url.replacingOccurrences(of: "outreach", with: "nobody"), secret: "right"))
            #expect(statuses == Array(repeating: 401, count: 60) + [200, 404])
        }
        let log = try await ledger.records(from: 1, limit: 1000)
        #expect(log.map(\.kind) == [.pushesRefused, .pushesRefused])
        let outreach = try #require(log.first { $0.platform == "outreach" }?.refusals)
        #expect(outreach.reasons == [.init(reason: "unauthorized", count: 60)])
        #expect(outreach.sources == [.init(address: "127.0.0.1", count: 60)])
        #expect(outreach.first <= outreach.last)
        #expect(log.first { $0.platform == "unknown" }?.refusals?.reasons == [.init(reason: "unknown_hook", count: 1)])
        #expect(hook.bodies.withLock { $0 } == 1)
        // The summary is a leaf like any other: the log still verifies with it.
        #expect(try AuditRecord.sequence(inLeaf: log[0].leaf()) == log[0].sequence)
    }

    #if os(Linux)
    @Test func aFloodIsAnsweredOnAThreadThatYieldsTheCPUToTheGateway() async throws {
        let hook = Hook()
        _ = try await withListener(hook) { url, _ in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<16 { group.addTask { try await post(url, secret: index == 0 ? "right" : "wrong") } }
                for try await _ in group {}
            }
        }
        // Every push, forged or not, was handled on the listener's own thread, below the rest.
        #expect(hook.niceness.withLock { $0 } == [ListenerThread.niceness])
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) < ListenerThread.niceness)
    }
    #endif

    @Test func aForgedPushIsRefusedOnItsHeadersWhateverTheBodyItAnnounces() async throws {
        let hook = Hook()
        _ = try await withListener(hook) { url, _ in
            // Refused on its headers: its 64 KB body is never read.
            let forged = try await post(url, secret: "wrong", body: ByteBuffer(repeating: 0x41, count: 1 << 16))
            // A genuine sender announcing more than the limit is refused before the read too.
            let large = try await post(url, secret: "right", body: ByteBuffer(repeating: 0x41, count: 2 << 20))
            #expect(forged == 401 && large == 413)
        }
        #expect(hook.bodies.withLock { $0 } == 0)
    }

    @Test func oneSourceOverItsRateIsToldToSlowDown() async throws {
        var limits = GatewayConfig.PushLimits()
        limits.rate = Rate(5, per: .seconds(60))
        let hook = Hook()
        let ledger = try await withListener(hook, limits: limits) { url, _ in
            var statuses: [Int] = []
            for _ in 0..<8 { statuses.append(try await post(url, secret: "right")) }
            #expect(statuses == [200, 200, 200, 200, 200, 429, 429, 429])
        }
        #expect(try await ledger.records(from: 1, limit: 10).first?.refusals?.reasons == [.init(reason: "rate_limited", count: 3)])
    }

    @Test func theLimiterKeepsPlacesPerSourceAndForgetsIdleOnes() {
        var limits = GatewayConfig.PushLimits()
        limits.concurrent = 2
        limits.rate = Rate(1000, per: .seconds(1))
        let limiter = SourceLimiter(limits)
        #expect(limiter.admit("10.0.0.1") == nil)
        #expect(limiter.admit("10.0.0.1") == nil)
        #expect(limiter.admit("10.0.0.1") == .busy)
        // Another source is not held back by the first one's requests.
        #expect(limiter.admit("10.0.0.2") == nil)
        limiter.release("10.0.0.1")
        #expect(limiter.admit("10.0.0.1") == nil)
        // Every host of one IPv6 /64 is one source.
        #expect(SourceLimiter.prefix64("2001:db8:0:1:a:b:c:d") == "2001:db8:0:1::/64")
        #expect(SourceLimiter.prefix64("2001:db8::1") == "2001:db8:0:0::/64")
        #expect(SourceLimiter.prefix64("::1") == "0:0:0:0::/64")
    }

    @Test func forgedAndReplayedCardClicksAreRefusedBeforeTheirBodyAndSummedUp() async throws {
        let hook = Hook()
        let ledger = try await withListener(hook) { url, _ in
            let cards = url + "/cards"
            var statuses: [Int] = []
            for _ in 0..<30 { statuses.append(try await post(cards, secret: "wrong")) }
            #expect(statuses == Array(repeating: 401, count: 30))
            #expect(hook.clicks.withLock { $0 } == 0)
            func signed(_ token: String) async throws -> Int {
                var request = HTTPClientRequest(url: cards)
                request.method = .POST
                request.headers.add(name: "x-secret", value: "right")
                request.headers.add(name: "x-token", value: token)
                request.body = .bytes(ByteBuffer(string: "{}"))
                return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code)
            }
            #expect(try await signed("t1") == 200)
            // The same signed headers again: a replay, whatever its body.
            #expect(try await signed("t1") == 401)
            // Without a token at all, a signature proves nothing about this click.
            #expect(try await post(cards, secret: "right") == 401)
            #expect(hook.clicks.withLock { $0 } == 1)
        }
        let log = try await ledger.records(from: 1, limit: 1000)
        let refused = try #require(log.first { $0.kind == .pushesRefused }?.refusals)
        #expect(refused.reasons.reduce(0) { $0 + $1.count } == 32)
        #expect(log.allSatisfy { $0.kind == .pushesRefused })
    }
}

/// Card clicks posted to `/hooks/outreach/cards`: signed as its pushes are (`x-secret`), one use
/// of each `x-token`.
extension AdversarialListenerTests.Hook: CardCarrier {
    func deliver(_ card: ReviewCard) async throws -> [String] { [] }
    func update(card id: String, fields: [String: String]) async throws {}
    func answerCards(with handler: @escaping CardActionHandler) {}
    var takesCardPushes: Bool { true }

    func screenCard(_ headers: [String: String], now: Date) -> PushAnswer? {
        headers["x-secret"] == "right" ? nil : .refused(.unauthorized)
    }

    func cardToken(_ headers: [String: String]) -> PushToken? {
        token(headers)
    }

    func answerCardPush(_ push: Push) async -> PushAnswer {
        clicks.withLock { $0 += 1 }
        return PushAnswer(status: 200, body: "{}")
    }
}
