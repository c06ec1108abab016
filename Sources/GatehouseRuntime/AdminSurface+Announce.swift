import Foundation
import GatehouseCore
import GatehouseLedger
import Hummingbird

/// `POST /announce` and the scheduled announcements: an operator's own announcement, decided by
/// the rules of the routes to each destination, sent now or queued in the ledger for its time.
extension AdminSurface {
    /// The longest announcement taken (a few Telegram messages' worth, well within a request).
    static let announcementLimit = 64 << 10

    func announce(_ request: Request, _ context: AdminContext) async throws -> Response {
        // Fail closed: nothing goes out in no one's name.
        guard let announcer = await context.peer() else { return failure(.forbidden, "the caller's identity cannot be read from the socket") }
        let body = try await request.body.collect(upTo: Self.announcementLimit + 4096)
        guard let wanted = try? AdminWire.decoder.decode(AdminWire.Announcement.self, from: Data(buffer: body)) else {
            return failure(
                .badRequest,
                #"expected {"to": ["channel", …], "text": "…", "at"?: "2026-12-01 09:00", "tz"?: "Asia/Shanghai", "local_time"?: "09:00"}"#
            )
        }
        guard !wanted.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return failure(.badRequest, "the announcement's text is empty")
        }
        guard wanted.text.utf8.count <= Self.announcementLimit else {
            return failure(.contentTooLarge, "the announcement is longer than \(Self.announcementLimit) bytes")
        }
        let snapshot = store.current
        let now = clock.now
        let id = "announce-\(UUID().uuidString.lowercased())"
        let envelope = Envelope(
            origin: .init(platform: Gate.announcePlatform, conversation: Gate.announceSource, messageID: id, eventID: id),
            sender: .init(id: announcer, name: announcer),
            body: .init(text: wanted.text),
            time: now,
            labels: ["announcement"]
        )
        let crossings: [Crossing]
        var schedule: [String: Date] = [:]
        do {
            let time = try AnnouncementTime(at: wanted.at, tz: wanted.tz, localTime: wanted.localTime)
            crossings = try snapshot.gate.announcement(envelope, to: wanted.to)
            for crossing in crossings {
                guard let channel = snapshot.config.channels[crossing.destination] else { continue }
                schedule[crossing.destination] = try time.due(at: channel, now: now)
            }
        } catch let error as AnnouncementTime.Invalid {
            return failure(.badRequest, error.description)
        } catch let error as Gate.AnnouncementError {
            return failure(.badRequest, error.description)
        }
        let intake = Intake(envelope: envelope, crossings: crossings, configRevision: snapshot.config.revision, receivedAt: now, schedule: schedule)
        guard case .committed(let records, let jobs) = try await ledger.commit(intake) else {
            return failure(.conflict, "announcement \(id) was recorded already")
        }
        var answers: [AdminWire.Announced.Crossing] = []
        for (crossing, record) in zip(crossings, records) {
            let job = jobs.first { $0.crossing == record.sequence && $0.action == .post }
            answers.append(
                .init(
                    destination: crossing.destination,
                    route: crossing.route,
                    verdict: crossing.verdict.rawValue,
                    findings: crossing.findings.map(\.detector),
                    record: record.sequence,
                    job: job?.id,
                    state: job?.state.rawValue,
                    due: schedule[crossing.destination]
                )
            )
            logger.info(
                "announcement decided",
                metadata: [
                    "gh.announcement": .string(id), "gh.actor": .string(announcer), "gh.route": .string(crossing.route),
                    "gh.destination": .string(crossing.destination), "gh.verdict": .string(crossing.verdict.rawValue),
                    "gh.record": .stringConvertible(record.sequence),
                ]
            )
        }
        dispatcher.notify(Set(jobs.filter { $0.state == .pending }.map(\.destination)))
        if !schedule.isEmpty { scheduler.reschedule() }
        return try json(AdminWire.Announced(id: id, announcer: announcer, crossings: answers))
    }

    func cancelScheduled(_ request: Request, _ context: AdminContext) async throws -> Response {
        let who: (approver: String, reason: String)
        switch try await decision(request, context) {
        case .success(let decided): who = decided
        case .failure(let refusal): return failure(refusal.status, refusal.message)
        }
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { return failure(.notFound, "no scheduled announcement with that id") }
        return try answer(try await actions.cancelScheduled(id, by: who.approver, reason: who.reason), approver: who.approver)
    }
}
