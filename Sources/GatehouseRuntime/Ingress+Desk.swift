import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Logging
import Metrics

/// The support desk's part of intake: tickets for customers, answers addressed to them, and the
/// desk's commands.
extension Ingress {
    /// The events with the desk's part in them:
    /// - a customer's message (in a channel of private chats) gets its ticket, opened (or opened
    ///   again) now;
    /// - a desk message (in a channel a route takes to private chats) that names a ticket
    ///   (`#1042 …`, or a quoted reply to one of its messages) is addressed to that ticket's
    ///   customer, the reference taken off its text; one naming a ticket that does not exist or is
    ///   closed addresses no one, and the desk is told;
    /// - `/tickets`, `/claim N`, `/close N` at the desk are carried out, and the desk is told.
    ///
    /// A command is carried out only once its message is committed (``DeskOrder``): a redelivery
    /// of `/close 1042` after the customer wrote again must not close the ticket a second time.
    func ticketed(_ events: [InboundEvent], snapshot: ConfigStore.Snapshot) async throws -> (events: [InboundEvent], orders: [String: DeskOrder]) {
        let router = snapshot.gate.router
        // The customers are the private chats answers go to; the desks are where answers come
        // from: the desk's group, and the one-to-one chats staff answer from.
        let privateChats = Set(router.channels.values.filter { $0.address == .privateChats }.map(\.name))
        let customerChats = privateChats.intersection(router.routes.flatMap(\.to))
        guard !customerChats.isEmpty else { return (events, [:]) }
        let desks = Set(router.routes.filter { !customerChats.isDisjoint(with: $0.to) }.flatMap(\.from)).subtracting(customerChats)
        var ticketed: [InboundEvent] = []
        var orders: [String: DeskOrder] = [:]
        for var event in events {
            let envelope = event.envelope
            let sources = router.sources(of: envelope)
            if envelope.contentKind != .service, let customers = sources.first(where: { customerChats.contains($0.name) }) {
                // A customer over their pace: taken in and recorded, not forwarded.
                guard customerLimits.admit("\(envelope.origin.platform)/\(envelope.origin.conversation)", rate: snapshot.config.desk.customerRate)
                else {
                    event.envelope.labels.insert(Self.overRateLabel)
                    ignored.count("desk:over_rate", platform: envelope.origin.platform, source: envelope.origin.conversation, at: clock.now)
                    ticketed.append(event)
                    continue
                }
                let opening = try await ledger.ticket(
                    platform: envelope.origin.platform,
                    chat: envelope.origin.conversation,
                    customer: envelope.sender,
                    message: envelope.origin.messageID,
                    connection: envelope.connection,
                    at: envelope.time
                )
                event.envelope.ticket = opening.ticket.number
                if opening.opened {
                    try await countOpenTickets()
                    try await answer(event.envelope, opening: opening, in: customers, snapshot: snapshot)
                }
            } else if envelope.kind == .post, let desk = sources.first(where: { desks.contains($0.name) }) {
                if let command = DeskCommand(envelope.body.text) {
                    orders[envelope.origin.eventID] = DeskOrder(command: command, envelope: envelope, desk: desk)
                } else if let (number, rest) = try await reference(in: envelope, at: desk) {
                    if let ticket = try await ledger.ticket(number), ticket.state != .closed {
                        event.envelope.addressee = Addressee(
                            ticket: number,
                            chat: ticket.chat,
                            answers: ticket.lastMessage,
                            connection: ticket.connection
                        )
                        event.envelope.body = rest
                        if ticket.firstResponseAt == nil {
                            try await ledger.answered(number, at: envelope.time)
                            record("gatehouse_desk_first_response_seconds", from: ticket.openedAt, to: envelope.time)
                        }
                    } else {
                        let said = (try await ledger.ticket(number)).map {
                            "Ticket #\($0.number) is closed: nothing was sent. It opens again when \($0.name) writes."
                        }
                        try await tell(desk, said ?? "There is no ticket #\(number): nothing was sent.", about: envelope, snapshot: snapshot)
                    }
                }
            }
            ticketed.append(event)
        }
        return (ticketed, orders)
    }

    /// The ticket a desk message answers, and its text without the reference: `#1042 …`, a quoted
    /// reply to one of the ticket's messages, or, in a staff member's one-to-one chat, the ticket
    /// they took.
    private func reference(in envelope: Envelope, at desk: Channel) async throws -> (Int64, RichText)? {
        if let reference = Addressee.ticketReference(in: envelope.body) { return reference }
        if let ticket = envelope.quote.flatMap(Addressee.ticket(inQuote:)) { return (ticket, envelope.body) }
        guard desk.address == .privateChats, let taken = try await ledger.taken(by: envelope.sender.id) else { return nil }
        return (taken.number, envelope.body)
    }

    /// Carries out a desk command whose message is committed, and tells the desk what came of it.
    func carryOut(_ order: DeskOrder, snapshot: ConfigStore.Snapshot) async throws {
        let (command, envelope, desk) = (order.command, order.envelope, order.desk)
        let who = envelope.sender.name.isEmpty ? envelope.sender.id : envelope.sender.name
        let said: String
        switch command {
        case .tickets:
            let waiting = try await ledger.tickets(in: .open, limit: 50) + ledger.tickets(in: .claimed, limit: 50)
            said =
                waiting.isEmpty
                ? "No open tickets."
                : "Open tickets, oldest first:\n"
                    + waiting.sorted { ($0.openedAt, $0.number) < ($1.openedAt, $1.number) }.map { ticket in
                        "#\(ticket.number) \(ticket.name)" + (ticket.claimedBy.map { " (claimed by \($0))" } ?? "")
                    }.joined(separator: "\n")
        case .take(let number):
            if desk.address != .privateChats {
                said = "/take works in your one-to-one chat with the robot; here, answer with #\(number) …"
            } else if let ticket = try await ledger.take(number, by: envelope.sender.id, name: who, at: envelope.time) {
                said = "\(who) has ticket #\(ticket.number) (\(ticket.name)): what they write in their one-to-one chat goes to them, until /release."
            } else {
                said = "There is no open ticket #\(number)."
            }
        case .release:
            let released = try await ledger.release(by: envelope.sender.id, at: envelope.time)
            said = released.map { "\(who) released ticket #\($0.number) (\($0.name))." } ?? "\(who) has no ticket to release."
        case .claim(let number), .close(let number):
            let closing: Bool = if case .close = command { true } else { false }
            if let ticket = try await ledger.move(number, to: closing ? .closed : .claimed, by: who, at: envelope.time) {
                if closing { record("gatehouse_desk_time_to_close_seconds", from: ticket.openedAt, to: envelope.time) }
                try await countOpenTickets()
                said =
                    closing
                    ? "Ticket #\(ticket.number) (\(ticket.name)) is closed by \(who)."
                    : "Ticket #\(ticket.number) (\(ticket.name)) is claimed by \(who)."
            } else {
                said = "There is no ticket #\(number)."
            }
        }
        try await tell(desk, said, about: envelope, snapshot: snapshot)
    }

    /// What the desk answers by itself when a customer's message opens their ticket: a greeting
    /// (a new ticket) or an acknowledgement (a closed one opened again), and the out-of-hours
    /// answer when it came outside the desk's hours. Each goes to that customer alone, decided by
    /// the rules of the routes to their channel and audited like any crossing (source `(desk)`).
    private func answer(_ message: Envelope, opening: TicketOpening, in customers: Channel, snapshot: ConfigStore.Snapshot) async throws {
        let desk = snapshot.config.desk
        var answers: [(String, Template)] = []
        if opening.isNew, let greeting = desk.greeting { answers.append(("greeting", greeting)) }
        if !opening.isNew, let acknowledgement = desk.acknowledgement { answers.append(("acknowledgement", acknowledgement)) }
        if let hours = desk.outOfHours, hours.window.violated(by: message) { answers.append(("out-of-hours", hours.text)) }
        let context = Renderer.Context(route: "", channel: customers.name, platform: customers.platform)
        for (what, template) in answers {
            let text = Renderer().render(template, body: message.body, envelope: message, context: context)
            let id = "desk:\(what):" + message.origin.eventID
            let notice = Envelope(
                origin: .init(platform: Gate.announcePlatform, conversation: Gate.deskSource, messageID: id, eventID: id),
                sender: .init(id: "gatehouse", name: "Gatehouse"),
                body: text,
                time: message.time
            )
            var crossings: [Crossing]
            do {
                crossings = try snapshot.gate.announcement(notice, to: [customers.name], source: Gate.deskSource)
            } catch {
                logger.notice(
                    "the desk cannot answer a customer by itself (no route sends to their chats)",
                    metadata: ["gh.channel": .string(customers.name)]
                )
                return
            }
            let addressee = Addressee(
                ticket: opening.ticket.number,
                chat: opening.ticket.chat,
                answers: message.origin.messageID,
                connection: opening.ticket.connection
            )
            for index in crossings.indices {
                crossings[index].ticket = opening.ticket.number
                crossings[index].addressee = addressee
            }
            let result = try await ledger.commit(
                Intake(envelope: notice, crossings: crossings, configRevision: snapshot.config.revision, receivedAt: clock.now)
            )
            if case .committed(_, let jobs) = result { dispatcher.notify(Set(jobs.map(\.destination))) }
        }
    }

    /// The label of a customer's message over their pace: decided nothing for, summed up.
    static let overRateLabel = "desk:over_rate"

    /// `gatehouse_desk_open_tickets`: the tickets open or claimed now.
    private func countOpenTickets() async throws {
        Gauge(label: "gatehouse_desk_open_tickets", factory: metrics).record(try await ledger.openTicketCount())
    }

    /// A desk duration in seconds (first response, time to close), into its histogram.
    private func record(_ label: String, from start: Date, to end: Date) {
        Recorder(label: label, factory: metrics).record(max(0, end.timeIntervalSince(start)))
    }

    /// Says something at the desk, in Gatehouse's own words: decided by the rules of the routes to
    /// the desk, committed and audited like any crossing (its source `(desk)`), once for the
    /// message it answers (a redelivery of that message says nothing again).
    private func tell(_ desk: Channel, _ text: String, about envelope: Envelope, snapshot: ConfigStore.Snapshot) async throws {
        let id = "desk:" + envelope.origin.eventID
        let notice = Envelope(
            origin: .init(platform: Gate.announcePlatform, conversation: Gate.deskSource, messageID: id, eventID: id),
            sender: .init(id: "gatehouse", name: "Gatehouse"),
            body: .init(text: text),
            time: envelope.time
        )
        // What is said in a staff member's one-to-one chat is said in the desk's group, where the
        // whole desk sees who has which ticket.
        let router = snapshot.gate.router
        let group =
            desk.address != .privateChats
            ? desk
            : router.routes.lazy
                .filter { $0.from.contains(desk.name) }
                .flatMap(\.from)
                .compactMap { router.channels[$0] }
                .first { $0.address != .privateChats }
        guard let group else {
            logger.notice("the desk cannot be told (it has no group)", metadata: ["gh.desk": .string(desk.name), "gh.notice": .string(text)])
            return
        }
        let crossings: [Crossing]
        do {
            crossings = try snapshot.gate.announcement(notice, to: [group.name], source: Gate.deskSource)
        } catch {
            // No route sends to the desk: nothing can be said there; the log says what would have been.
            logger.notice("the desk cannot be told (no route sends to it)", metadata: ["gh.desk": .string(group.name), "gh.notice": .string(text)])
            return
        }
        let result = try await ledger.commit(
            Intake(envelope: notice, crossings: crossings, configRevision: snapshot.config.revision, receivedAt: clock.now)
        )
        if case .committed(_, let jobs) = result { dispatcher.notify(Set(jobs.map(\.destination))) }
    }
}

/// A desk command to carry out once its message is committed.
struct DeskOrder: Sendable {
    var command: DeskCommand
    var envelope: Envelope
    var desk: Channel
}

/// What staff can ask of the desk: `/tickets`, `/claim 1042`, `/close 1042` (in its group or
/// their one-to-one chat), `/take 1042` and `/release` (in their one-to-one chat).
enum DeskCommand: Equatable {
    case tickets
    case claim(Int64)
    case close(Int64)
    case take(Int64)
    case release

    init?(_ text: String) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(3).map(String.init)
        guard let first = words.first?.lowercased() else { return nil }
        let number = words.dropFirst().first.flatMap { Int64($0.hasPrefix("#") ? String($0.dropFirst()) : $0) }
        switch first {
        case "/tickets": self = .tickets
        case "/claim":
            guard let number else { return nil }
            self = .claim(number)
        case "/close":
            guard let number else { return nil }
            self = .close(number)
        case "/take":
            guard let number else { return nil }
            self = .take(number)
        case "/release": self = .release
        default: return nil
        }
    }
}
