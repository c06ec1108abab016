import Foundation
import GatehouseCore
import GatehouseLedger
import GatehouseRuntime
import Hummingbird

/// The overview and the holds.
extension ConsoleSurface {
    func overview(_ request: Request, _ signedIn: SignedIn) async throws -> Response {
        let span = Self.query(request)["span"].flatMap(TrafficChart.Span.init(rawValue:)) ?? .days
        let summary = try await ledger.summary(finished: false)
        let depths = try await ledger.depths()
        let now = clock.now
        let every = (store.current.config.audit?.checkpointEvery).map { Double($0.components.seconds) } ?? 300
        let age = summary.lastCheckpoint.map { now.timeIntervalSince($0) }
        // Overdue: the oldest record no checkpoint covers has waited two intervals.
        let uncovered = try await ledger.records(from: Int64(summary.checkpointed) + 1, limit: 1).first
        let overdue = uncovered.map { now.timeIntervalSince($0.time) > 2 * every } ?? false
        let queues: [[String: Any]] = depths.keys.sorted().map { destination in
            let states = depths[destination] ?? [:]
            return [
                "destination": destination, "pending": states[.pending] ?? 0, "inflight": states[.inflight] ?? 0,
                "deferred": states[.deferred] ?? 0, "held": states[.held] ?? 0, "dead": states[.dead] ?? 0,
            ]
        }
        let held = summary.outbox[.held] ?? 0
        let dead = summary.outbox[.dead] ?? 0
        var values: [String: Any] = [
            "holds": held, "holdsAttention": held > 0, "dead": dead, "deadAttention": dead > 0,
            "scheduled": summary.outbox[.scheduled] ?? 0,
            "queued": (summary.outbox[.pending] ?? 0) + (summary.outbox[.inflight] ?? 0) + (summary.outbox[.deferred] ?? 0),
            "records": summary.records, "checkpointed": summary.checkpointed,
            "checkpointAge": age.map(Self.age) ?? "—", "checkpointNone": age == nil, "checkpointStale": overdue,
            "queues": queues, "hasQueues": !queues.isEmpty,
        ]
        let since = now.addingTimeInterval(-span.seconds * Double(span.periods + 1))
        values["spans"] = TrafficChart.Span.allCases.map { ["value": $0.rawValue, "selected": $0 == span] }
        values["crossings"] = Self.chartValues(
            .crossings(try await reader.traffic(since: since), span: span, now: now),
            title: "Crossings",
            rows: "Route",
            empty: "Nothing crossed"
        )
        values["deliveries"] = Self.chartValues(
            .deliveries(try await reader.deliveries(since: since), span: span, now: now),
            title: "Deliveries",
            rows: "Destination",
            empty: "Nothing was sent"
        )
        return render("overview", frame("Overview", signedIn, at: "Overview", holdsWaiting: held), values)
    }

    /// What the overview's template shows of a chart: the image, its legend, and its numbers per
    /// row (route or destination) and category.
    static func chartValues(_ chart: TrafficChart, title: String, rows: String, empty: String) -> [String: Any] {
        [
            "title": "\(title) over \(chart.span.title)", "image": chart.dataURL(), "total": chart.total, "rowsName": rows,
            "empty": "\(empty) over \(chart.span.title).",
            "categories": chart.categories.map { ["name": $0.name] },
            "rows": chart.rows.map { row in
                [
                    "name": row.name, "total": row.counts.values.reduce(0, +),
                    "counts": chart.categories.map { ["count": row.counts[$0.name] ?? 0] },
                ] as [String: Any]
            },
            "hasRows": !chart.rows.isEmpty,
        ]
    }

    func holds(_ signedIn: SignedIn) async throws -> Response {
        let jobs = try await ledger.jobs(in: .held, limit: Self.listLimit)
        let items: [[String: Any]] = jobs.map { job in
            [
                "id": job.id, "route": job.route, "destination": job.destination, "created": Self.display(job.createdAt),
                "createdISO": Self.iso(job.createdAt), "excerpt": Self.excerpt(job.text),
            ]
        }
        return render("holds", frame("Holds", signedIn, at: "Holds", holdsWaiting: jobs.count), ["items": items, "hasItems": !items.isEmpty])
    }

    func hold(_ id: Int64?, _ signedIn: SignedIn, notice: String?) async throws -> Response {
        guard let id, let job = try await ledger.job(id: id) else {
            return message(status: .notFound, "No such hold", "There is no hold with that number.", signedIn)
        }
        let crossing = try await ledger.records(from: job.crossing, limit: 1).first { $0.sequence == job.crossing }
        let review = try await ledger.review(job: id)
        let findings: [[String: Any]] = (crossing?.findings ?? []).map { finding in
            [
                "check": finding.check, "detector": finding.detector,
                "field": finding.field ?? "text", "position": "characters \(finding.offset)–\(finding.offset + finding.length)",
            ]
        }
        let attachments: [[String: Any]] = job.payload.attachments.map { attachment in
            var values: [String: Any] = ["name": attachment.name ?? attachment.reference]
            if let bytes = attachment.bytes { values["bytes"] = bytes }
            if let type = attachment.mimeType { values["mimeType"] = type }
            return values
        }
        let links = HoldDetails.links(of: job)
        let votes: [[String: Any]] = (review?.votes ?? []).map { vote in
            var values: [String: Any] = ["who": vote.reviewer.display, "verdict": vote.approve ? "approved" : "rejected"]
            if !vote.reason.isEmpty { values["reason"] = vote.reason }
            return values
        }
        var values: [String: Any] = [
            "id": job.id, "route": job.route, "destination": job.destination,
            "origin": "\(job.originPlatform) \(job.originConversation)", "created": Self.display(job.createdAt),
            "createdISO": Self.iso(job.createdAt), "text": job.text, "findings": findings, "hasFindings": !findings.isEmpty,
            "attachments": attachments, "hasAttachments": !attachments.isEmpty, "links": links, "hasLinks": !links.isEmpty,
            "votes": votes, "hasVotes": !votes.isEmpty,
            "mayDecide": job.state == .held && signedIn.may(.reviewer) && reviews != nil,
        ]
        if let sender = crossing?.origin?.senderID { values["sender"] = sender }
        if let review {
            var facts: [String: Any] = ["approvals": review.approvals, "needed": review.needed, "escalated": review.escalated]
            if let deadline = review.deadline {
                facts["deadline"] = Self.display(deadline)
                facts["deadlineISO"] = Self.iso(deadline)
            }
            values["review"] = facts
        }
        var frame = frame("Hold \(job.id)", signedIn, at: "Holds")
        frame["notice"] = notice ?? (job.state == .held ? nil : "This message is no longer held (\(job.state.rawValue)).")
        return render("hold", frame, values)
    }

    /// A decision from the hold's page, judged by the route's rules as a card's would be.
    func decide(_ id: Int64?, _ form: [String: String], _ signedIn: SignedIn) async throws -> Response {
        guard let id else { return message(status: .notFound, "No such hold", "There is no hold with that number.", signedIn) }
        let approve: Bool
        switch form["decision"] {
        case "approve"?: approve = true
        case "reject"?: approve = false
        default: return message(status: .badRequest, "Refused", "Say approve or reject.", signedIn)
        }
        let reason = String((form["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(500))
        guard let reviews else { return message(status: .conflict, "Read-only", standby?.banner ?? "Holds are decided elsewhere.", signedIn) }
        let notice: String
        switch try await reviews.decide(job: id, by: signedIn.session.person, approve: approve, reason: reason) {
        case .recorded(let outcome):
            switch outcome {
            case .approved: notice = "Approved: the message is on its way."
            case .rejected: notice = "Rejected: the message will never be sent."
            case .counted(_, let approvals, let needed): notice = "Your approval is counted: \(approvals) of \(needed)."
            default: notice = "Recorded."
            }
        case .refused(let why, _):
            notice = "Refused (and recorded): \(why)."
        case .gone(let why):
            notice = why
        }
        return try await hold(id, signedIn, notice: notice)
    }

    /// The start of a text for a list: its first line or 160 characters.
    static func excerpt(_ text: String) -> String {
        let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: true).first.map(String.init) ?? ""
        return line.count > 160 ? String(line.prefix(159)) + "…" : line
    }
}
