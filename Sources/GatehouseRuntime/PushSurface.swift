import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Hummingbird
import Logging
import Metrics
import NIOCore
import Synchronization

/// The push door: `/hooks/<platform>`, where the platforms that push their events (Telegram by
/// webhook, DingTalk by HTTP callback) reach the gateway. Each push is judged from the cheapest
/// check to the dearest: the path, its source's limits, its headers (the adapter's screen), the
/// announced size, a used token, and only then the body, read within a time and size bound,
/// which the adapter decodes. What it carries is committed through ``Ingress`` and answered 200
/// only once committed and acknowledged. Refused pushes are counted, never logged or audited
/// one by one: a ``TallyAuditor`` sums them up per interval.
public final class PushSurface: Sendable {
    /// The adapters that take pushes, by platform name.
    private let hooks: [String: any PushReceiving]
    /// The adapters whose platforms post card clicks to `/hooks/<platform>/cards`.
    private let cardHooks: [String: any CardCarrier]
    private let limits: GatewayConfig.PushLimits
    private let limiter: SourceLimiter
    let intake: Ingress
    private let tokens = Mutex(PushTokens())
    private let metrics: any MetricsFactory
    private let clock: WallClock
    private let logger: Logger
    /// The refused pushes since the last summary in the audit log.
    let refusals = Tally()

    public init(
        adapters: [any Adapter],
        limits: GatewayConfig.PushLimits = .init(),
        intake: Ingress,
        metrics: any MetricsFactory,
        clock: WallClock = .system,
        logger: Logger
    ) {
        self.hooks = Dictionary(adapters.compactMap { adapter in (adapter as? any PushReceiving).map { (adapter.platform, $0) } }) { first, _ in first
        }
        self.cardHooks = Dictionary(
            adapters.compactMap { adapter in (adapter as? any CardCarrier).flatMap { $0.takesCardPushes ? (adapter.platform, $0) : nil } }
        ) { first, _ in first }
        self.limits = limits
        self.limiter = SourceLimiter(limits)
        self.intake = intake
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
    }

    /// Writes the summaries of what the door refused to the audit log, as a service for the
    /// gateway's ServiceGroup (started before the listener, so that the last summary is written
    /// after the listener stopped).
    public func auditor(ledger: any AuditLedger) -> TallyAuditor {
        TallyAuditor(.refusals, tally: refusals, ledger: ledger, interval: limits.summaryEvery, clock: clock, logger: logger)
    }

    /// `POST /hooks/:platform`, for the listener's router.
    func routes() -> RouteCollection<ListenerContext> {
        let routes = RouteCollection(context: ListenerContext.self)
        routes.post("/hooks/:platform") { [self] request, context -> Response in
            await take(request, platform: context.parameters.get("platform") ?? "", source: SourceLimiter.source(of: context.remoteAddress))
        }
        routes.post("/hooks/:platform/cards") { [self] request, context -> Response in
            await takeCard(request, platform: context.parameters.get("platform") ?? "", source: SourceLimiter.source(of: context.remoteAddress))
        }
        return routes
    }

    /// A click on a review card, posted by the platform: judged like a push (limits, signature,
    /// one use of each signed time, bounded body), then answered with the card's update once
    /// the decision it carries is recorded.
    private func takeCard(_ request: Request, platform: String, source: String) async -> Response {
        guard let carrier = cardHooks[platform] else { return refused(.refused(.unknownHook), platform: "unknown", source: source) }
        return await screened(request, platform: platform, source: source, screen: carrier.screenCard, token: carrier.cardToken, tokenRequired: true)
        {
            headers,
            body,
            token in
            guard let token, tokens.withLock({ $0.take(token, platform: platform, now: clock.now) }) else {
                return refused(.refused(.replayed), platform: platform, source: source)
            }
            let answer = await carrier.answerCardPush(Push(headers: headers, body: Array(body.readableBytesView)))
            guard answer.refusal == nil else { return refused(answer, platform: platform, source: source) }
            return Response(
                status: .init(code: answer.status),
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: answer.body))
            )
        }
    }

    /// One push, from its path to its answer.
    private func take(_ request: Request, platform: String, source: String) async -> Response {
        guard let adapter = hooks[platform] else { return refused(.refused(.unknownHook), platform: "unknown", source: source) }
        return await screened(request, platform: platform, source: source, screen: adapter.screen, token: adapter.token, tokenRequired: false) {
            headers,
            body,
            token in
            let content = adapter.decode(Push(headers: headers, body: Array(body.readableBytesView)))
            if case .refused(let answer) = content { return refused(answer, platform: platform, source: source) }
            // Taken before the commit, so that two copies of one push racing in cannot both pass
            // (even one that carries nothing: its headers must not be reused with another body).
            if let token, !tokens.withLock({ $0.take(token, platform: platform, now: clock.now) }) {
                return refused(.refused(.replayed), platform: platform, source: source)
            }
            guard case .envelope(let envelope) = content else { return answer(.ok) }
            // Nothing is decided before the config it is decided by is in the audit log; a push that
            // is not committed gives its token back, so that the platform's retry is taken.
            let open = intake.configRecorded.hasFired
            let outcome = open ? await commit(envelope, nonce: token?.nonce) : nil
            if outcome == nil, let token { tokens.withLock { $0.release(token, platform: platform) } }
            guard open else { return answer(PushAnswer(status: 503, body: "not receiving yet")) }
            guard let outcome else { return answer(PushAnswer(status: 500, body: "not committed; push again")) }
            return outcome.refusal == nil ? answer(outcome) : refused(outcome, platform: platform, source: source)
        }
    }

    /// Judges a request from the cheapest check to the dearest, up to its body: its source's
    /// limits (its place held until `handle` is done), its headers (`screen`), a one-use token
    /// not used before (and present, when `tokenRequired`), the announced size, and the body
    /// read within its bounds. Then `handle` answers it.
    private func screened(
        _ request: Request,
        platform: String,
        source: String,
        screen: ([String: String], Date) -> PushAnswer?,
        token tokenOf: ([String: String]) -> PushToken?,
        tokenRequired: Bool,
        _ handle: ([String: String], ByteBuffer, PushToken?) async -> Response
    ) async -> Response {
        if let refusal = limiter.admit(source) { return refused(.refused(refusal), platform: platform, source: source) }
        defer { limiter.release(source) }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let now = clock.now
        if let refusal = screen(headers, now) { return refused(refusal, platform: platform, source: source) }
        let token = tokenOf(headers)
        if token == nil, tokenRequired { return refused(.refused(.unauthorized), platform: platform, source: source) }
        if let token, tokens.withLock({ $0.isTaken(token, platform: platform, now: now) }) {
            return refused(.refused(.replayed), platform: platform, source: source)
        }
        if let length = headers["content-length"].flatMap(Int.init), length > limits.maxBodyBytes {
            return refused(.refused(.tooLarge), platform: platform, source: source)
        }
        let body: ByteBuffer
        do {
            body = try await read(request.body)
        } catch is BodyTimeout {
            return refused(PushAnswer(status: 408, body: "body too slow", refusal: .malformed), platform: platform, source: source)
        } catch {
            return refused(.refused(.tooLarge), platform: platform, source: source)
        }
        return await handle(headers, body, token)
    }

    /// How often a push's commit is tried before the platform is told to push it again: a commit
    /// failing for a moment (a busy disk) should not cost the platform's retry.
    static let commitAttempts = 5

    /// Commits one pushed event through intake and returns its answer: 200 once committed and
    /// acknowledged, a replay's refusal when the ledger had its token already, nil when it could
    /// not be committed.
    private func commit(_ envelope: Envelope, nonce: String?) async -> PushAnswer? {
        let outcome = Mutex<PushAnswer?>(nil)
        let event = InboundEvent(
            envelope: envelope,
            acknowledgement: Acknowledgement({ outcome.withLock { $0 = .ok } }, refused: { _ in outcome.withLock { $0 = .refused(.replayed) } }),
            nonce: nonce
        )
        let retry = Backoff(minimum: .milliseconds(100), maximum: .seconds(2))
        for attempt in 1...Self.commitAttempts {
            do {
                // Intake logs a failed commit; the platform pushes the event again after a 500.
                try await intake.handle([event])
                break
            } catch {
                guard attempt < Self.commitAttempts, !Task.isCancelled else { break }
                try? await Task.sleep(for: retry.delay(afterFailures: attempt))
            }
        }
        return outcome.withLock { $0 }
    }

    /// Reads a push's body within `listen.limits`: at most `max_body_bytes`, arriving within
    /// `body_timeout`.
    private func read(_ body: RequestBody) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { [limits] in try await body.collect(upTo: limits.maxBodyBytes) }
            group.addTask { [limits] in
                try await Task.sleep(for: limits.bodyTimeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let body = first else { throw BodyTimeout() }
            return body
        }
    }

    private func answer(_ answer: PushAnswer) -> Response {
        Response(
            status: .init(code: answer.status),
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: answer.body.isEmpty ? "" : answer.body + "\n"))
        )
    }

    /// Answers a refused push after counting it: a metric at once, and the audit log's summary
    /// of the interval (``TallyAuditor``), never a record or log line each.
    private func refused(_ refusal: PushAnswer, platform: String, source: String) -> Response {
        let reason = refusal.refusal ?? .malformed
        refusals.count(reason, platform: platform, source: source, at: clock.now)
        // Bounded labels: the config's platforms (or "unknown") and the refusal reasons.
        Counter(label: "gatehouse_pushes_refused_total", dimensions: [("platform", platform), ("reason", reason.rawValue)], factory: metrics)
            .increment()
        return Response(
            status: .init(code: refusal.status),
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: refusal.body + "\n"))
        )
    }
}

/// The body of a push did not arrive within `listen.limits.body_timeout`.
private struct BodyTimeout: Error {}
