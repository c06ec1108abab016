import Foundation
import GatehouseCore
import GatehouseLedger
import Logging
import Metrics

extension Reviews {
    /// How a decision went, for the card, the CLI and the admin API alike.
    public enum Decision: Sendable {
        /// Recorded: approved (released), rejected, or counted towards the approvals needed.
        case recorded(Vote.Outcome)
        /// Refused, and audited as refused: the reason says why.
        case refused(String, AuditRecord)
        /// No such hold, or it is decided already; nothing was written.
        case gone(String)
    }

    /// Judges one person's decision on a held job against its route's rules, and records it:
    /// refused (audited) when the person is not a reviewer of the route or sent the message
    /// themselves; otherwise counted, and the hold released or rejected when that settles it.
    /// The card, when the hold has one, then shows the outcome to everyone who has it.
    public func decide(job id: Int64, by reviewer: ReviewerIdentity, approve: Bool, reason: String, card: String? = nil) async throws -> Decision {
        guard let job = try await ledger.job(id: id) else { return .gone("no job \(id)") }
        guard job.state == .held else { return .gone("hold #\(id) is decided already (\(job.state.rawValue))") }
        let review = try await ledger.review(job: id)
        if let card, review?.card != card, review?.firstCard != card {
            return .gone("this card is not hold #\(id)'s")
        }
        let rule = store.current.config.routes.first { $0.name == job.route }?.review
        if let why = try await refusal(of: reviewer, for: job, rule: rule, escalated: review?.escalated == true) {
            let record = try await ledger.refuseDecision(job, by: reviewer, because: why, card: review?.card, at: clock.now)
            Counter(label: "gatehouse_hold_decisions_refused_total", factory: metrics).increment()
            logger.warning(
                "a decision on a hold was refused",
                metadata: [
                    "gh.job": .stringConvertible(id), "gh.actor": .string(reviewer.display), "gh.reason": .string(why),
                    "gh.record": .stringConvertible(record.sequence),
                ]
            )
            return .refused(why, record)
        }
        let outcome = try await ledger.vote(job, by: reviewer, approve: approve, reason: reason, needed: rule?.approvals ?? 1, at: clock.now)
        guard let record = outcome.record else { return .recorded(outcome) }
        logger.info(
            "hold decision",
            metadata: [
                "gh.job": .stringConvertible(id), "gh.route": .string(job.route), "gh.actor": .string(reviewer.display),
                "gh.outcome": .string(record.kind.rawValue), "gh.record": .stringConvertible(record.sequence),
            ]
        )
        let now = clock.now
        let settled = try await ledger.review(job: id)
        switch outcome {
        case .approved:
            dispatcher.notify([job.destination])
            // An announcement approved before its time waits for it.
            if job.notBefore != nil { scheduler.reschedule() }
            if let settled { decided(settled, outcome: "approved", at: now) }
            if rule?.tellSender == true {
                followUp.yield(.tell(job, .approved, "Your message to \(job.destination) (hold #\(id)) was approved and is being sent."))
            }
        case .rejected:
            if let settled { decided(settled, outcome: "rejected", at: now) }
            if rule?.tellSender == true {
                followUp.yield(.tell(job, .rejected, "Your message to \(job.destination) (hold #\(id)) was rejected: \(reason)"))
            }
        case .counted, .alreadyDecided, .notHeld, .pastDeadline:
            break
        }
        // Every card of the hold shows it to everyone, once the click is answered (the card
        // clicked is answered with the same fields).
        followUp.yield(.refresh(job: id, except: card))
        return .recorded(outcome)
    }

    /// Why this person may not decide this hold, or nil when they may.
    private func refusal(of reviewer: ReviewerIdentity, for job: OutboxJob, rule: ReviewRule?, escalated: Bool) async throws -> String? {
        let crossing = try await ledger.records(from: job.crossing, limit: 1).first { $0.sequence == job.crossing }
        // A staff id names one person in the organisation, whichever of its DingTalk apps they
        // wrote through.
        let origin = crossing?.origin?.platform
        let fromDingTalk = origin.flatMap { store.current.config.platforms[$0]?.type } == "dingtalk"
        if reviewer.isSender(crossing?.origin?.senderID, onPlatform: fromDingTalk ? nil : origin) {
            return "the sender of a message cannot decide its hold"
        }
        guard let rule else {
            // A route without reviewers is decided on the server only, by whoever reaches the admin socket.
            return reviewer.via == .unix ? nil : "route '\(job.route)' has no reviewers; its holds are decided with gatehouse holds"
        }
        let admitted = (rule.reviewers + (escalated ? rule.reviewers(escalated: true) : [])).contains { $0.admits(reviewer) }
        return admitted ? nil : "\(reviewer.display) is not a reviewer of route '\(job.route)'"
    }

    /// Answers a click on a review card: who clicked is looked up in the directory (their name
    /// and departments), the decision is judged and recorded, and the answer tells the clicker
    /// what became of it and shows everyone the hold's state.
    func answer(_ action: CardAction) async -> CardAnswer {
        do {
            guard let review = try await ledger.review(card: action.card) else {
                return CardAnswer(notice: "This card is not one Gatehouse knows.")
            }
            guard let approve = action.approve else {
                return CardAnswer(notice: "The card's button sent no action (approve or reject).")
            }
            // A signed click posted by HTTP is taken once, also across restarts.
            if let nonce = action.nonce, try await !ledger.claimNonce(platform: action.platform, nonce: nonce, at: clock.now) {
                return CardAnswer(notice: "Not recorded: this click was seen before.")
            }
            var reviewer = ReviewerIdentity(via: .dingtalk, id: action.person, platform: action.platform)
            if let adapter = adapters[action.platform] {
                let known = await adapter.describe(Envelope.Sender(id: action.person, name: ""))
                reviewer = ReviewerIdentity(
                    via: .dingtalk,
                    id: action.person,
                    name: known.name.isEmpty ? nil : known.name,
                    departments: known.departments ?? [],
                    platform: action.platform
                )
            }
            let given = action.parameters["reason"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            let reason = given.isEmpty ? (approve ? "approved on the review card" : "rejected on the review card") : String(given.prefix(500))
            let decision = try await decide(job: review.job, by: reviewer, approve: approve, reason: reason, card: action.card)
            let now = try await ledger.review(job: review.job) ?? review
            switch decision {
            case .refused(let why, _):
                return CardAnswer(fields: Self.statusFields(now), notice: "Not recorded: \(why).")
            case .gone(let why):
                return CardAnswer(fields: Self.statusFields(now), notice: "Not recorded: \(why).")
            case .recorded(.alreadyDecided(let earlier)):
                return CardAnswer(fields: Self.statusFields(now), notice: "You \(earlier ? "approved" : "rejected") this hold already.")
            case .recorded(.notHeld):
                return CardAnswer(fields: Self.statusFields(now), notice: "Not recorded: this hold is decided already.")
            case .recorded(.pastDeadline):
                return CardAnswer(fields: Self.statusFields(now), notice: "Not recorded: the time to decide this hold has run out.")
            case .recorded(.counted(_, let approvals, let needed)):
                return CardAnswer(fields: Self.statusFields(now), notice: "Your approval is recorded (\(approvals) of \(needed)).")
            case .recorded(.approved):
                return CardAnswer(fields: Self.statusFields(now), notice: "Approved: the message is being sent.")
            case .recorded(.rejected):
                return CardAnswer(fields: Self.statusFields(now), notice: "Rejected: the message will not be sent.")
            }
        } catch {
            logger.error(
                "a card click could not be recorded",
                metadata: ["gh.card": .string(action.card), "gh.error": .string(String(describing: error))]
            )
            return CardAnswer(notice: "Not recorded: Gatehouse could not write it down. Try again in a moment.")
        }
    }

    /// The card's status and whether its buttons still show, from the review as it stands.
    static func statusFields(_ review: HoldReview) -> [String: String] {
        var status: String
        switch review.outcome {
        case "approved"?:
            let approvers = review.votes.filter(\.approve).map { "\($0.reviewer.display) at \(time($0.time)): \(markdownEscaped($0.reason))" }
            status = "✅ Approved by " + approvers.joined(separator: "; ")
        case "rejected"?:
            let rejecter = review.votes.last { !$0.approve }
            status =
                "❌ Rejected by \(rejecter.map { "\($0.reviewer.display) at \(time($0.time)): \(markdownEscaped($0.reason))" } ?? "a reviewer"). Nothing was sent."
        case "expired"?:
            status = "⌛ Expired at \(review.decidedAt.map(time) ?? "?"): rejected, no decision within the time allowed. Nothing was sent."
        default:
            status = "Waiting: " + waiting(review)
            let approvers = review.votes.filter(\.approve).map { $0.reviewer.display }
            if !approvers.isEmpty { status += "; approved by \(approvers.joined(separator: ", "))" }
            if let deadline = review.deadline { status += "; decide by \(time(deadline))" }
        }
        return [
            ReviewCard.Field.status: ReviewCardContent.fitted(status),
            ReviewCard.Field.decided: review.outcome == nil ? "false" : "true",
        ]
    }

    /// The card's content for a held job.
    func content(of job: OutboxJob, review: HoldReview) async throws -> ReviewCardContent {
        let crossing = try await ledger.records(from: job.crossing, limit: 1).first { $0.sequence == job.crossing }
        // The sender as the directory knows them, where their platform has one (DingTalk staff).
        var sender: Envelope.Sender?
        if let id = crossing?.origin?.senderID, !id.isEmpty, let adapter = adapters[job.originPlatform], adapter.describesSenders {
            let known = await adapter.describe(Envelope.Sender(id: id, name: ""))
            if !known.name.isEmpty { sender = known }
        }
        return ReviewCardContent(job: job, crossing: crossing, sender: sender, links: HoldDetails.links(of: job), status: Self.statusFields(review))
    }
}
