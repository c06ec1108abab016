import Foundation
import GatehouseCore
import GatehouseLedger
import Hummingbird
import Logging
import ServiceLifecycle

/// The admin API on a Unix socket (`listen.admin`, mode 0660): status, holds (list, show,
/// approve, reject), the queue per destination, scheduled announcements, announce, and reload. Whoever decides a hold is recorded
/// in the audit log as the kernel names the socket's peer (SO_PEERCRED), not as they say.
public struct AdminSurface: Sendable {
    let path: String
    let store: ConfigStore
    let ledger: any Ledger
    let dispatcher: Dispatcher
    let scheduler: Scheduler
    /// Judges decisions on holds against the routes' reviewers, as it judges card clicks.
    let reviews: Reviews
    let reloader: Reloader?
    let reloads: ReloadStatus
    let ready: StartSignal
    /// Break-glass sign-in links to the console, when it has one.
    let links: SignInLinks?
    let clock: WallClock
    let logger: Logger

    public init(
        path: String,
        store: ConfigStore,
        ledger: any Ledger,
        dispatcher: Dispatcher,
        scheduler: Scheduler,
        reviews: Reviews,
        reloader: Reloader?,
        reloads: ReloadStatus,
        ready: StartSignal,
        links: SignInLinks? = nil,
        clock: WallClock = .system,
        logger: Logger
    ) {
        self.links = links
        self.clock = clock
        self.scheduler = scheduler
        self.reviews = reviews
        self.path = path
        self.store = store
        self.ledger = ledger
        self.dispatcher = dispatcher
        self.reloader = reloader
        self.reloads = reloads
        self.ready = ready
        self.logger = logger
    }

    /// The most holds or jobs one answer lists.
    static let listLimit = 10_000

    /// Dead letters and scheduled announcements decided by hand.
    var actions: OutboxActions {
        OutboxActions(store: store, ledger: ledger, dispatcher: dispatcher, scheduler: scheduler, clock: clock, logger: logger)
    }

    /// The listener as a service for the gateway's ServiceGroup.
    public func service() -> some Service {
        Self.listener(at: path, router: router(), logger: logger)
    }

    /// An admin socket at `path` serving `router` (the active instance's, or a standby's).
    static func listener(at path: String, router: Hummingbird.Router<AdminContext>, logger: Logger) -> some Service {
        // A socket file left by an earlier run would make the bind fail.
        removeStaleSocket(at: path)
        return Application(
            router: router,
            configuration: .init(address: .unixDomainSocket(path: path), serverName: "gatehouse-admin"),
            onServerRunning: { _ in
                // Owner and group (the unit's `gatehouse` group: its operators) may connect; no one else.
                chmod(path, 0o660)
            },
            logger: logger
        )
    }

    /// Every route of the admin API; tests drive it without a socket (Hummingbird's router test
    /// mode), where no caller can be named, so nothing is decided.
    func router() -> Hummingbird.Router<AdminContext> {
        let router = Hummingbird.Router(context: AdminContext.self)
        router.get("/status") { _, _ in try await json(status()) }
        router.get("/holds") { _, _ in
            try await json(ledger.jobs(in: .held, limit: Self.listLimit).map { describe($0, withText: false) })
        }
        router.get("/dead") { _, _ in
            try await json(ledger.jobs(in: .dead, limit: Self.listLimit).map { describe($0, withText: false) })
        }
        router.post("/dead/:id/retry") { request, context in try await decideDead(request, context, retry: true) }
        router.post("/dead/:id/cancel") { request, context in try await decideDead(request, context, retry: false) }
        router.get("/holds/:id") { _, context in
            guard let job = try await job(context, in: .held) else { return failure(.notFound, "no held job with that id") }
            return try await json(review(job))
        }
        router.get("/holds/history") { _, _ in try await history() }
        router.post("/holds/:id/approve") { request, context in try await decide(request, context, approve: true) }
        router.post("/holds/:id/reject") { request, context in try await decide(request, context, approve: false) }
        router.get("/queue") { _, _ in try await json(queue()) }
        router.get("/desk/tickets") { request, _ in
            let state = request.uri.queryParameters["state"].map(String.init)
            guard state.map({ Ticket.State(rawValue: $0) != nil }) ?? true else {
                return failure(.badRequest, "state is one of \(Ticket.State.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return try await json(ledger.tickets(in: state.flatMap(Ticket.State.init), limit: 10_000).map(Self.row))
        }
        router.get("/desk/tickets/:number") { _, context in
            guard let number = context.parameters.get("number").flatMap(Int64.init), let ticket = try await ledger.ticket(number) else {
                return failure(.notFound, "no such ticket")
            }
            let entries = try await ledger.conversation(of: number).map { entry in
                AdminWire.TicketDetail.Entry(
                    record: entry.record.sequence,
                    time: entry.record.time,
                    route: entry.record.route ?? "",
                    from: entry.record.origin?.channel ?? "",
                    to: entry.record.destination ?? "",
                    verdict: entry.record.verdict?.rawValue ?? "",
                    text: entry.decided
                )
            }
            return try json(AdminWire.TicketDetail(ticket: Self.row(ticket), entries: entries))
        }
        router.get("/scheduled") { _, _ in
            try await json(ledger.jobs(in: .scheduled, limit: Self.listLimit).map { describe($0, withText: true) })
        }
        router.post("/scheduled/:id/cancel") { request, context in try await cancelScheduled(request, context) }
        // Whichever it is: a scheduled announcement before its time, or a dead letter.
        router.post("/queue/:id/cancel") { request, context in
            let found: OutboxJob? = if let id = context.parameters.get("id").flatMap(Int64.init) { try await ledger.job(id: id) } else { nil }
            switch found?.state {
            case .scheduled?: return try await cancelScheduled(request, context)
            case .dead?: return try await decideDead(request, context, retry: false)
            default: return failure(.notFound, "no scheduled announcement or dead-lettered job with that id")
            }
        }
        router.post("/announce") { request, context in try await announce(request, context) }
        router.post("/withdrawals") { request, context in try await withdraw(request, context) }
        router.post("/subjects/erase") { request, context in try await erase(request, context) }
        router.post("/console/link") { _, context in try await signInLink(context) }
        router.post("/console/access") { request, context in try await consoleAccess(request, context) }
        router.post("/reload") { _, context in
            guard let reloader else { return failure(.serviceUnavailable, "this gateway cannot reload its config") }
            // Fail closed: the rules do not change in no one's name.
            guard let who = await context.peer() else { return failure(.forbidden, "the caller's identity cannot be read from the socket") }
            logger.info("reload asked through the admin socket", metadata: ["gh.actor": .string(who)])
            return try json(Self.answer(await reloader.reload(by: who)))
        }
        return router
    }

    /// Audits a use of a standby's console, handed over through the database: only a standby asks
    /// this (a request on this instance's own socket is refused), as its console names the person.
    private func consoleAccess(_ request: Request, _ context: AdminContext) async throws -> Response {
        guard let standby = context.forwarded else { return failure(.forbidden, "only a standby's console hands over console uses") }
        let body = try await request.body.collect(upTo: 16 << 10)
        guard let access = try? AdminWire.decoder.decode(AdminWire.ConsoleAccess.self, from: Data(buffer: body)),
            !access.what.isEmpty, access.what.utf8.count <= AdminWire.consoleAccessLimit
        else { return failure(.badRequest, "a console use needs {\"what\": \"…\", \"person\": …}") }
        let record = try await ledger.recordConsoleAccess(
            "\(access.what) (on the standby's console, \(standby.name ?? standby.id))",
            by: access.person,
            at: clock.now
        )
        return try json(["sequence": record.sequence])
    }

    /// A break-glass link to the console for the caller (fail closed: nobody named, no link), audited.
    private func signInLink(_ context: AdminContext) async throws -> Response {
        guard let links, let console = store.current.config.console else { return failure(.notFound, "this gateway has no console") }
        guard let person = await context.reviewer() else { return failure(.forbidden, "the caller's identity cannot be read from the socket") }
        _ = try await ledger.recordConsoleAccess("break-glass sign-in link issued", by: person, at: clock.now)
        logger.warning("a break-glass sign-in link to the console was issued", metadata: ["gh.actor": .string(person.display)])
        let token = links.issue(for: person)
        return try json(AdminWire.SignInLink(url: console.url + "/signin/link?token=" + token, expires: clock.now.addingTimeInterval(600)))
    }

    private func status() async throws -> AdminWire.Status {
        let snapshot = store.current
        let summary = try await ledger.summary()
        return AdminWire.Status(
            revision: snapshot.config.revision,
            file: snapshot.config.file,
            routes: snapshot.config.routes.count,
            ready: ready.hasFired,
            outbox: Dictionary(uniqueKeysWithValues: summary.outbox.map { ($0.key.rawValue, $0.value) }),
            records: summary.records,
            checkpointed: summary.checkpointed,
            lastCheckpoint: summary.lastCheckpoint,
            reloadFailures: reloads.failures,
            lastReloadFailure: reloads.lastFailure,
            line: Watchdog.status(routes: snapshot.config.routes.count, summary: summary, reloadFailure: reloads.lastFailure, now: clock.now)
        )
    }

    private func queue() async throws -> [AdminWire.QueueRow] {
        var depths = try await ledger.depths()
        // Every destination of the config in force has a row, queued jobs or not.
        for destination in store.current.destinations where depths[destination] == nil { depths[destination] = [:] }
        return depths.map { destination, count in
            AdminWire.QueueRow(
                destination: destination,
                pending: count[.pending] ?? 0,
                inflight: count[.inflight] ?? 0,
                deferred: count[.deferred] ?? 0,
                held: count[.held] ?? 0,
                dead: count[.dead] ?? 0,
                scheduled: count[.scheduled] ?? 0
            )
        }
        .sorted { $0.destination < $1.destination }
    }

    func job(_ context: AdminContext, in state: OutboxJob.State) async throws -> OutboxJob? {
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { return nil }
        return try await ledger.job(id: id).flatMap { $0.state == state ? $0 : nil }
    }

    /// Who decides and why, or the answer refusing the decision: nobody can be named (fail
    /// closed: nothing is done in no one's name), or no reason is given.
    func decision(_ request: Request, _ context: AdminContext) async throws -> Result<(approver: String, reason: String), Refusal> {
        guard let approver = await context.peer() else {
            return .failure(Refusal(status: .forbidden, message: "the caller's identity cannot be read from the socket"))
        }
        let body = try await request.body.collect(upTo: 64 << 10)
        guard let decision = try? AdminWire.decoder.decode(AdminWire.Decision.self, from: Data(buffer: body)),
            !decision.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        else {
            return .failure(Refusal(status: .badRequest, message: "a decision needs a reason: {\"reason\": \"…\"}"))
        }
        return .success((approver, decision.reason))
    }

    struct Refusal: Error {
        var status: HTTPResponse.Status
        var message: String
    }

    private func decideDead(_ request: Request, _ context: AdminContext, retry: Bool) async throws -> Response {
        let who: (approver: String, reason: String)
        switch try await decision(request, context) {
        case .success(let decided): who = decided
        case .failure(let refusal): return failure(refusal.status, refusal.message)
        }
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { return failure(.notFound, "no dead-lettered job with that id") }
        return try answer(try await actions.decideDead(id, retry: retry, by: who.approver, reason: who.reason), approver: who.approver)
    }

    /// An outbox action's answer.
    func answer(_ outcome: OutboxActions.Outcome, approver: String) throws -> Response {
        switch outcome {
        case .done(let record): return try json(AdminWire.Decided(record: record.sequence, approver: approver))
        case .notFound(let why): return failure(.notFound, why)
        case .conflict(let why): return failure(.conflict, why)
        }
    }

    /// Takes back every copy of a message, in the caller's name (fail closed: nobody can be
    /// named, nothing is done), with a reason.
    private func withdraw(_ request: Request, _ context: AdminContext) async throws -> Response {
        guard let approver = await context.peer() else { return failure(.forbidden, "the caller's identity cannot be read from the socket") }
        let body = try await request.body.collect(upTo: 64 << 10)
        guard let asked = try? AdminWire.decoder.decode(AdminWire.WithdrawalRequest.self, from: Data(buffer: body)),
            !asked.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        else {
            return failure(.badRequest, "a withdrawal needs a reason: {\"crossing\": N, \"reason\": \"…\"}")
        }
        let target: WithdrawalTarget
        if let crossing = asked.crossing {
            target = .crossing(crossing)
        } else if let platform = asked.platform, let conversation = asked.conversation, let message = asked.message {
            target = .message(platform: platform, conversation: conversation, message: message)
        } else {
            return failure(.badRequest, "name the message: a crossing record, or its platform, conversation and message")
        }
        let withdrawal: Withdrawal
        do {
            withdrawal = try await ledger.withdraw(target, by: approver, reason: asked.reason, at: clock.now)
        } catch let error as LedgerError where error.shortDescription == "not_a_crossing" || error.shortDescription == "unknown_message" {
            return failure(.notFound, error.detail)
        }
        logger.notice(
            "message withdrawn",
            metadata: [
                "gh.actor": .string(approver), "gh.destinations": .string(withdrawal.destinations.joined(separator: ",")),
                "gh.cancelled": .stringConvertible(withdrawal.cancelled),
                "gh.records": .string(withdrawal.records.map { String($0.sequence) }.joined(separator: ",")),
            ]
        )
        dispatcher.notify(Set(withdrawal.destinations))
        return try json(
            AdminWire.Withdrawn(
                records: withdrawal.records.map(\.sequence),
                destinations: withdrawal.destinations,
                cancelled: withdrawal.cancelled,
                approver: approver
            )
        )
    }

    /// Erases what is kept of one person, in the caller's name, with a reason.
    private func erase(_ request: Request, _ context: AdminContext) async throws -> Response {
        guard let approver = await context.peer() else { return failure(.forbidden, "the caller's identity cannot be read from the socket") }
        let body = try await request.body.collect(upTo: 64 << 10)
        guard let asked = try? AdminWire.decoder.decode(AdminWire.Erasure.self, from: Data(buffer: body)),
            !asked.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, !asked.person.isEmpty
        else {
            return failure(.badRequest, "an erasure needs a person and a reason: {\"platform\", \"person\", \"reason\"}")
        }
        let config = store.current.config
        let named = config.platforms[asked.platform] != nil
        let platforms =
            named
            ? [asked.platform]
            : config.platforms.values.filter { platform in
                switch platform.settings {
                case .telegram: asked.platform == "telegram"
                case .dingtalk: asked.platform == "dingtalk"
                }
            }.map(\.name)
        guard !platforms.isEmpty else { return failure(.notFound, "no platform named or of type '\(asked.platform)'") }
        let subject = Subject(platforms: Set(platforms), person: asked.person)
        let records = try await ledger.eraseSubject(subject, by: approver, reason: asked.reason, at: clock.now)
        logger.notice(
            "a person's content erased",
            metadata: [
                "gh.actor": .string(approver), "gh.records": .stringConvertible(records.count),
                "gh.platforms": .string(platforms.sorted().joined(separator: ",")),
            ]
        )
        return try json(AdminWire.Erased(subject: subject.description, records: records.map(\.sequence), approver: approver))
    }

    private func decide(_ request: Request, _ context: AdminContext, approve: Bool) async throws -> Response {
        guard let reviewer = await context.reviewer() else { return failure(.forbidden, "the caller's identity cannot be read from the socket") }
        let reason: String
        switch try await decision(request, context) {
        case .success(let decided): reason = decided.reason
        case .failure(let refusal): return failure(refusal.status, refusal.message)
        }
        guard let job = try await job(context, in: .held) else { return failure(.notFound, "no held job with that id") }
        switch try await reviews.decide(job: job.id, by: reviewer, approve: approve, reason: reason) {
        case .refused(let why, _):
            return failure(.forbidden, "refused (and recorded): \(why)")
        case .gone(let why):
            return failure(.conflict, why)
        case .recorded(.notHeld):
            // Decided by someone else a moment ago.
            return failure(.conflict, "job \(job.id) is no longer held")
        case .recorded(.pastDeadline):
            return failure(.conflict, "job \(job.id)'s time to be decided has run out")
        case .recorded(.alreadyDecided(let earlier)):
            return failure(.conflict, "you \(earlier ? "approved" : "rejected") job \(job.id) already; another reviewer must decide it")
        case .recorded(let outcome):
            guard let record = outcome.record else { return failure(.conflict, "job \(job.id) is no longer held") }
            var answer = AdminWire.Decided(record: record.sequence, approver: reviewer.display)
            if case .counted(_, let approvals, let needed) = outcome {
                answer.waiting = "approval \(approvals) of \(needed) recorded; the hold waits for \(needed - approvals) more"
            }
            return try json(answer)
        }
    }

    /// One reviewer's decision, as the CLI shows it.
    static func decision(_ vote: Vote) -> String {
        "\(vote.approve ? "approved" : "rejected") by \(vote.reviewer.display): \(vote.reason)"
    }

    /// Decided holds, newest first, with their reviewers and how long each waited.
    private func history() async throws -> Response {
        let holds = try await ledger.decidedHolds(limit: Self.listLimit)
        return try json(
            holds.map { review in
                AdminWire.DecidedHold(
                    id: review.job,
                    route: review.route,
                    destination: review.destination,
                    outcome: review.outcome ?? "?",
                    held: review.heldSince,
                    decided: review.decidedAt ?? review.heldSince,
                    card: review.card,
                    reviewers: review.votes.map(Self.decision)
                )
            }
        )
    }

    /// A held job with everything an approver must see: its crossing's findings and sender, and
    /// every link target and attachment of what would be sent.
    private func review(_ job: OutboxJob) async throws -> AdminWire.Job {
        var wire = describe(job, withText: true)
        let record = try await ledger.records(from: job.crossing, limit: 1).first { $0.sequence == job.crossing }
        wire.sender = record?.origin?.senderID
        wire.findings = record?.findings ?? []
        wire.links = HoldDetails.links(of: job)
        wire.attachments = job.payload.attachments
        if let review = try await ledger.review(job: job.id) {
            wire.review = AdminWire.Job.Review(
                card: review.card,
                approvals: review.approvals,
                needed: review.needed,
                deadline: review.deadline,
                escalated: review.escalated,
                decisions: review.votes.map(Self.decision)
            )
        }
        return wire
    }

    private func describe(_ job: OutboxJob, withText: Bool) -> AdminWire.Job {
        AdminWire.Job(
            id: job.id,
            crossing: job.crossing,
            route: job.route,
            destination: job.destination,
            action: job.action.rawValue,
            created: job.createdAt,
            origin: "\(job.originPlatform) \(job.originConversation) \(job.originMessage)",
            text: withText ? job.text : nil,
            due: job.state == .scheduled ? job.notBefore : nil
        )
    }

    static func row(_ ticket: Ticket) -> AdminWire.TicketRow {
        AdminWire.TicketRow(
            number: ticket.number,
            state: ticket.state.rawValue,
            platform: ticket.platform,
            chat: ticket.chat,
            customerID: ticket.customerID,
            name: ticket.name,
            handle: ticket.handle,
            language: ticket.language,
            claimedBy: ticket.claimedBy,
            openedAt: ticket.openedAt,
            firstResponseAt: ticket.firstResponseAt,
            closedAt: ticket.closedAt
        )
    }

    static func answer(_ outcome: Reloader.Outcome) -> AdminWire.ReloadAnswer {
        switch outcome {
        case .loaded(let revision, let record): .init(outcome: "loaded", revision: revision, record: record, problems: [])
        case .unchanged(let revision): .init(outcome: "unchanged", revision: revision, record: nil, problems: [])
        case .refused(let problems): .init(outcome: "refused", revision: nil, record: nil, problems: problems)
        }
    }

    func json(_ value: some Encodable) throws -> Response {
        var data = try AdminWire.encoder.encode(value)
        data.append(0x0A)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func failure(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Self.failure(status, message)
    }

    /// A refusal: `{"error": "…"}` with its status.
    static func failure(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let data = (try? AdminWire.encoder.encode(AdminWire.Failure(error: message))) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Removes a socket file (only a socket) at `path`.
    static func removeStaleSocket(at path: String) {
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK {
            unlink(path)
        }
    }
}
