import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Logging
import Metrics
import ServiceLifecycle

/// Held crossings reviewed where the reviewers work: for each new hold, a review is opened in the
/// ledger (the card's id, the approvals it needs, its deadline) and then its card is delivered to
/// the route's reviewers; clicks on the card (and `gatehouse holds approve|reject`) are judged
/// against the route's `reviewers:` and counted until `approvals:` distinct people agree; a hold
/// past its `hold_timeout:` is rejected or escalated; the card is kept up to date for everyone
/// who has it, and the sender is told when the route asks.
///
/// The ledger is written before the platform is told anything (a card's review before the card,
/// a decision before the card shows it), so a crash anywhere leaves at worst a card to deliver or
/// update again, which the next round does.
public final class Reviews: Service, Sendable {
    let store: ConfigStore
    let ledger: any Ledger
    let dispatcher: Dispatcher
    let scheduler: Scheduler
    let carriers: [String: any CardCarrier]
    let adapters: [String: any Adapter]
    let metrics: any MetricsFactory
    let clock: WallClock
    let interval: Duration
    let logger: Logger

    /// How many holds one round opens, and how many open reviews it looks at.
    static let batch = 100
    let followUps: AsyncStream<FollowUp>
    let followUp: AsyncStream<FollowUp>.Continuation
    /// When each card that failed to be delivered is tried again (doubling, up to five minutes:
    /// a wrong template id is not hammered every second until someone fixes the config).
    let retries = CardRetries()

    public init(
        store: ConfigStore,
        ledger: any Ledger,
        dispatcher: Dispatcher,
        scheduler: Scheduler,
        adapters: [any Adapter],
        metrics: any MetricsFactory = MetricsSystem.factory,
        interval: Duration = .seconds(1),
        clock: WallClock = .system,
        logger: Logger
    ) {
        self.store = store
        self.ledger = ledger
        self.dispatcher = dispatcher
        self.scheduler = scheduler
        self.adapters = Dictionary(adapters.map { ($0.platform, $0) }, uniquingKeysWith: { first, _ in first })
        self.carriers = Dictionary(
            adapters.compactMap { adapter in (adapter as? any CardCarrier).map { (adapter.platform, $0) } },
            uniquingKeysWith: { first, _ in first }
        )
        self.metrics = metrics
        self.clock = clock
        self.interval = interval
        self.logger = logger
        (followUps, followUp) = AsyncStream.makeStream(of: FollowUp.self, bufferingPolicy: .bufferingNewest(10_000))
        for carrier in carriers.values {
            carrier.answerCards { [weak self] action in
                guard let self else { return CardAnswer(notice: "Gatehouse is stopping; try again in a moment.") }
                return await self.answer(action)
            }
        }
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            // What follows a decision (telling the sender, updating the hold's other cards) is
            // done here, after the click was answered: DingTalk waits only two seconds.
            group.addTask { [self] in
                for await next in followUps { await perform(next) }
            }
            await Periodic.run(every: interval, logger: logger, failure: "reviewing holds failed") { [self] in
                try await round()
            }
            followUp.finish()
        }
    }

    /// What a decision leaves to do once it is answered.
    enum FollowUp: Sendable {
        /// Tell the hold's sender.
        case tell(OutboxJob, Tidings, String)
        /// Show the hold's state on its cards, but the one clicked (answered already).
        case refresh(job: Int64, except: String?)
    }

    private func perform(_ next: FollowUp) async {
        switch next {
        case .tell(let job, let tidings, let text):
            await tellSender(of: job, tidings, text)
        case .refresh(let job, let clicked):
            guard let review = try? await ledger.review(job: job) else { return }
            for card in [review.card, review.firstCard].compactMap({ $0 }) where card != clicked {
                await update(card, fields: Self.statusFields(review))
            }
        }
    }

    /// One round: open the new holds' reviews, deliver the cards not yet delivered, and act on
    /// deadlines and reminders.
    func round() async throws {
        for job in try await ledger.unopenedHolds(limit: Self.batch) {
            try await open(job)
        }
        let now = clock.now
        // Every open review, a page at a time: a deadline is never missed behind a long queue.
        var open: Set<Int64> = []
        var after: Int64 = 0
        while true {
            let page = try await ledger.openReviews(after: after, limit: Self.batch)
            for review in page {
                open.insert(review.job)
                try await attend(review, now: now)
            }
            guard page.count == Self.batch, let last = page.last?.job else { break }
            after = last
        }
        retries.keep(only: open)
    }

    /// Delivers an open review's card if it is not yet, and acts on its deadline.
    private func attend(_ review: HoldReview, now: Date) async throws {
        if let card = review.card, !review.delivered, retries.due(review.job, now: now) {
            await deliver(card: card, of: review)
        }
        guard let deadline = review.deadline else { return }
        let rule = store.current.config.routes.first { $0.name == review.route }?.review
        if deadline <= now {
            try await timeOut(review, rule: rule)
        } else if !review.reminded, let lead = rule?.reminderLead, deadline.addingTimeInterval(-lead.timeInterval) <= now {
            try await remind(review)
        }
    }

    // MARK: Opening

    /// Opens a hold's review and sends its card (and tells the sender, when the route says so).
    private func open(_ job: OutboxJob) async throws {
        let config = store.current.config
        let now = clock.now
        guard let rule = config.routes.first(where: { $0.name == job.route })?.review else {
            // Decided on the server only (`gatehouse holds`), as before reviewers existed.
            _ = try await ledger.openReview(job, card: nil, to: [], needed: 1, deadline: nil, audited: false, at: now)
            return
        }
        // Counted from now, which is a moment after the hold unless the gateway was down (or the
        // rule is new): nobody's hold is rejected before its reviewers could see it.
        let deadline = rule.timeout.map { now.addingTimeInterval($0.timeInterval) }
        let spaces = cardsCanGo ? spaces(for: rule.reviewers, rule: rule) : nil
        let card = spaces.map { _ in Self.cardID(job.id) }
        guard
            let record = try await ledger.openReview(
                job,
                card: card,
                to: (spaces ?? []).map(Self.describe),
                needed: rule.approvals,
                deadline: deadline,
                audited: true,
                at: now
            ), let opened = try await ledger.review(job: job.id)
        else { return }
        logger.info(
            card == nil ? "hold waits for its reviewers (no card: they decide with gatehouse holds)" : "hold sent for review",
            metadata: [
                "gh.job": .stringConvertible(job.id), "gh.route": .string(job.route), "gh.card": .string(card ?? "-"),
                "gh.record": .stringConvertible(record.sequence),
            ]
        )
        if spaces == nil, !(rule.reviewers + rule.reviewers(escalated: true)).allSatisfy({ if case .unixGroup = $0 { true } else { false } }) {
            logger.warning(
                "a hold's DingTalk reviewers cannot be sent a card (no review: section, or its platform is not a DingTalk app)",
                metadata: ["gh.job": .stringConvertible(job.id), "gh.route": .string(job.route)]
            )
        }
        if let card { await deliver(card: card, of: opened) }
        if rule.tellSender {
            await tellSender(of: job, .waiting, "Your message to \(job.destination) is waiting for review (hold #\(job.id)).")
        }
    }

    /// Whether review cards can be sent at all: a `review:` section whose platform has cards.
    private var cardsCanGo: Bool {
        store.current.config.review.map { carriers[$0.platform] != nil } ?? false
    }

    /// A new card's id (DingTalk's `outTrackId`): unique, and naming its hold for whoever reads logs.
    static func cardID(_ job: Int64) -> String {
        "gatehouse-h\(job)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Where a card for these reviewers goes: the review group, or each person named.
    func spaces(for reviewers: [Reviewer], rule: ReviewRule) -> [ReviewCard.Space]? {
        let config = store.current.config
        if let room = rule.room, case .conversation(let id) = config.channels[room]?.address {
            return [.group(id)]
        }
        let people = reviewers.staff
        return people.isEmpty ? nil : people.map(ReviewCard.Space.person)
    }

    static func describe(_ space: ReviewCard.Space) -> String {
        switch space {
        case .group(let id): "group:\(id)"
        case .person(let id): "staff:\(id)"
        }
    }

    static func space(_ described: String) -> ReviewCard.Space? {
        if described.hasPrefix("group:") { return .group(String(described.dropFirst(6))) }
        if described.hasPrefix("staff:") { return .person(String(described.dropFirst(6))) }
        return nil
    }

    /// Delivers (or delivers again) a review's card with its current content. A failure is
    /// logged and tried again next round.
    func deliver(card: String, of review: HoldReview) async {
        guard let config = store.current.config.review, let carrier = carriers[config.platform],
            let job = try? await ledger.job(id: review.job)
        else { return }
        do {
            let content = try await self.content(of: job, review: review)
            let spaces = review.recipients.compactMap(Self.space)
            // A text longer than a card variable holds is sent whole just before the card.
            if content.longText {
                for space in spaces {
                    _ = try await carrier.send(
                        OutboundMessage(
                            channel: Channel(name: "review", platform: carrier.platform, address: Self.address(space)),
                            text: "Hold #\(job.id), the full text it would send:\n\n\(job.text)",
                            idempotencyKey: "\(card)-text-\(Self.describe(space))"
                        )
                    )
                }
            }
            let unreached = try await carrier.deliver(ReviewCard(id: card, template: config.cardTemplate, spaces: spaces, fields: content.fields))
            try await ledger.cardDelivered(job: review.job)
            if !unreached.isEmpty {
                Counter(label: "gatehouse_review_cards_unreached_total", factory: metrics).increment(by: unreached.count)
                logger.error(
                    "a review card did not reach some of its reviewers (check their staff ids)",
                    metadata: [
                        "gh.job": .stringConvertible(review.job), "gh.card": .string(card),
                        "gh.unreached": .string(unreached.joined(separator: "; ")),
                    ]
                )
            }
            retries.succeeded(review.job)
        } catch {
            retries.failed(review.job, now: clock.now)
            logger.error(
                "a review card could not be delivered; retrying",
                metadata: ["gh.job": .stringConvertible(review.job), "gh.card": .string(card), "gh.error": .string(String(describing: error))]
            )
        }
    }

    static func address(_ space: ReviewCard.Space) -> Channel.Address {
        switch space {
        case .group(let id): .conversation(id)
        case .person(let id): .users([id])
        }
    }

    // MARK: Deadlines

    private func timeOut(_ review: HoldReview, rule: ReviewRule?) async throws {
        let now = clock.now
        if let rule, !review.escalated, case .escalate(let second) = rule.onTimeout, let timeout = rule.timeout {
            let deadline = now.addingTimeInterval(timeout.timeInterval)
            // The second list gets a card when it has somewhere to go (else it decides with the CLI).
            let spaces = cardsCanGo ? spaces(for: second, rule: rule) : nil
            let card = spaces.map { _ in Self.cardID(review.job) }
            guard
                let record = try await ledger.escalate(review, card: card, to: (spaces ?? []).map(Self.describe), deadline: deadline, at: now),
                let escalated = try await ledger.review(job: review.job)
            else { return }
            logger.notice(
                "hold escalated",
                metadata: [
                    "gh.job": .stringConvertible(review.job), "gh.route": .string(review.route), "gh.record": .stringConvertible(record.sequence),
                ]
            )
            Counter(label: "gatehouse_holds_escalated_total", factory: metrics).increment()
            // The first list's card says where it went; the second list gets a card of its own.
            if let first = review.card {
                let spent = rule.timeout.map(\.formattedForConfig) ?? "the time allowed"
                await update(
                    first,
                    fields: [ReviewCard.Field.status: "⤴️ Escalated at \(Self.time(now)): no decision within \(spent). It can still be decided here."]
                )
            }
            if let card { await deliver(card: card, of: escalated) }
            await settleLateUpdate(review.job)
            return
        }
        guard let record = try await ledger.expire(review, at: now) else { return }
        logger.notice(
            "hold expired and rejected",
            metadata: ["gh.job": .stringConvertible(review.job), "gh.route": .string(review.route), "gh.record": .stringConvertible(record.sequence)]
        )
        Counter(label: "gatehouse_holds_expired_total", factory: metrics).increment()
        decided(review, outcome: "expired", at: now)
        for card in [review.card, review.firstCard].compactMap({ $0 }) {
            await update(
                card,
                fields: [
                    ReviewCard.Field.status: "⌛ Expired at \(Self.time(now)): rejected, no decision within the time allowed. Nothing was sent.",
                    ReviewCard.Field.decided: "true",
                ]
            )
        }
        if rule?.tellSender == true, let job = try await ledger.job(id: review.job) {
            await tellSender(of: job, .expired, "Your message to \(job.destination) (hold #\(job.id)) was not reviewed in time and was not sent.")
        }
    }

    private func remind(_ review: HoldReview) async throws {
        guard let record = try await ledger.remind(review, at: clock.now), let card = review.card, let deadline = review.deadline else { return }
        logger.info("hold reminder", metadata: ["gh.job": .stringConvertible(review.job), "gh.record": .stringConvertible(record.sequence)])
        await update(card, fields: [ReviewCard.Field.status: "⏰ Reminder: \(Self.waiting(review)); expires at \(Self.time(deadline))"])
        await settleLateUpdate(review.job)
    }

    /// A decision may have come while a reminder or an escalation was being shown: its cards
    /// must end on the decision, not on the older news.
    private func settleLateUpdate(_ job: Int64) async {
        guard let review = try? await ledger.review(job: job), review.outcome != nil else { return }
        for card in [review.card, review.firstCard].compactMap({ $0 }) {
            await update(card, fields: Self.statusFields(review))
        }
    }

    // MARK: Telling

    /// Changes a card's variables for everyone who has it; a failure is logged (the card then
    /// shows an older state, and a click on it is judged against the ledger anyway).
    func update(_ card: String, fields: [String: String]) async {
        guard let config = store.current.config.review, let carrier = carriers[config.platform] else { return }
        do {
            try await carrier.update(card: card, fields: fields)
        } catch {
            logger.error("a review card could not be updated", metadata: ["gh.card": .string(card), "gh.error": .string(String(describing: error))])
        }
    }

    /// What a sender is told about their held message.
    enum Tidings: String {
        case waiting, approved, rejected, expired
    }

    /// Tells a held message's sender, in their one-to-one chat with the robot, when they are a
    /// DingTalk person (each kind of news once per hold, should a retry send it again).
    func tellSender(of job: OutboxJob, _ tidings: Tidings, _ text: String) async {
        guard let carrier = carriers[job.originPlatform],
            let crossing = try? await ledger.records(from: job.crossing, limit: 1).first,
            let sender = crossing.origin?.senderID, !sender.isEmpty
        else { return }
        do {
            _ = try await carrier.send(
                OutboundMessage(
                    channel: Channel(name: "review", platform: carrier.platform, address: .users([sender])),
                    text: text,
                    idempotencyKey: "gatehouse-tell-\(job.id)-\(tidings.rawValue)"
                )
            )
        } catch {
            logger.warning(
                "the sender of a hold could not be told",
                metadata: ["gh.job": .stringConvertible(job.id), "gh.error": .string(String(describing: error))]
            )
        }
    }

    /// Counts a decided hold and how long it waited.
    func decided(_ review: HoldReview, outcome: String, at time: Date) {
        Counter(label: "gatehouse_holds_decided_total", dimensions: [("outcome", outcome)], factory: metrics).increment()
        Recorder(label: "gatehouse_hold_decision_seconds", factory: metrics).record(max(0, time.timeIntervalSince(review.heldSince)))
    }

    // MARK: Wording

    static func time(_ date: Date) -> String {
        date.formatted(
            Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(
                .colon
            )
        ) + " UTC"
    }

    static func waiting(_ review: HoldReview) -> String {
        "waiting for \(review.needed - review.approvals) more approval\(review.needed - review.approvals == 1 ? "" : "s") (\(review.approvals) of \(review.needed))"
    }
}
