import Foundation
import GatehouseCore
import GatehouseLedger
import GatehouseRuntime
import Hummingbird

/// Dead letters and scheduled announcements: seen by everyone, acted on by an admin.
extension ConsoleSurface {
    func outbox(_ signedIn: SignedIn, notice: String?) async throws -> Response {
        let dead = try await ledger.jobs(in: .dead, limit: Self.listLimit)
        let scheduled = try await ledger.jobs(in: .scheduled, limit: Self.listLimit)
        func row(_ job: OutboxJob) -> [String: Any] {
            var row: [String: Any] = [
                "id": job.id, "route": job.route, "destination": job.destination, "created": Self.display(job.createdAt),
                "createdISO": Self.iso(job.createdAt), "attempts": job.attempts, "excerpt": Self.excerpt(job.text),
                "crossing": job.crossing,
            ]
            if let due = job.notBefore {
                row["due"] = Self.display(due)
                row["dueISO"] = Self.iso(due)
            }
            return row
        }
        let values: [String: Any] = [
            "dead": dead.map(row), "hasDead": !dead.isEmpty, "scheduled": scheduled.map(row), "hasScheduled": !scheduled.isEmpty,
            "mayAct": signedIn.may(.admin) && actions != nil,
        ]
        var frame = frame("Outbox", signedIn, at: "Outbox")
        frame["notice"] = notice
        return render("outbox", frame, values)
    }

    /// Retry or discard a dead letter, or cancel a scheduled announcement, with a reason.
    func act(_ id: Int64?, _ action: String, _ form: [String: String], _ signedIn: SignedIn) async throws -> Response {
        guard let id else { return message(status: .notFound, "No such job", "There is no job with that number.", signedIn) }
        let reason = String((form["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(500))
        guard !reason.isEmpty else { return try await outbox(signedIn, notice: "Give a reason: it goes into the audit log.") }
        let approver = signedIn.session.person.display
        guard let actions else { return message(status: .conflict, "Read-only", standby?.banner ?? "Jobs are acted on elsewhere.", signedIn) }
        let outcome: OutboxActions.Outcome
        switch action {
        case "retry": outcome = try await actions.decideDead(id, retry: true, by: approver, reason: reason)
        case "discard": outcome = try await actions.decideDead(id, retry: false, by: approver, reason: reason)
        case "cancel": outcome = try await actions.cancelScheduled(id, by: approver, reason: reason)
        default: return message(status: .notFound, "No such action", "Retry, discard or cancel.", signedIn)
        }
        switch outcome {
        case .done(let record):
            let done = ["retry": "sent back to its queue", "discard": "discarded", "cancel": "cancelled"][action] ?? action
            return try await outbox(signedIn, notice: "Job \(id) \(done) (audit record \(record.sequence)).")
        case .notFound(let why), .conflict(let why):
            return try await outbox(signedIn, notice: why)
        }
    }
}
