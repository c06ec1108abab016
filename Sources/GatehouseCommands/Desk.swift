import ArgumentParser
import Foundation
import GatehouseRuntime

/// `gatehouse desk …`: the support desk's tickets (through the daemon's admin socket).
struct Desk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The support desk's tickets: each customer conversation, and what was said in it as decided.",
        subcommands: [Tickets.self, Show.self]
    )

    struct Tickets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The tickets, oldest first (all, or in one state).")
        @OptionGroup var admin: AdminOptions
        @Option(name: .long, help: "open, claimed or closed.") var state: String?

        func run() async throws {
            let query = state.map { "?state=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? ""
            let tickets: [AdminWire.TicketRow] = try await AdminClient(socket: admin.socket).get("/desk/tickets\(query)")
            if tickets.isEmpty { return print(state.map { "no \($0) tickets" } ?? "no tickets") }
            for ticket in tickets { print(Self.line(ticket)) }
        }

        /// One ticket a line. A customer's name and handle are theirs to choose: shown with their
        /// control characters and bidi overrides escaped, so that they cannot rewrite the terminal.
        static func line(_ ticket: AdminWire.TicketRow) -> String {
            let claimed = ticket.claimedBy.map { ", claimed by \(TerminalText.escaped($0))" } ?? ""
            let answered =
                ticket.firstResponseAt.map { ", first answer after \(Int($0.timeIntervalSince(ticket.openedAt))) s" } ?? ", not answered yet"
            return
                "#\(ticket.number)  \(ticket.state)\(claimed)  \(Self.who(ticket)) (\(ticket.platform) \(TerminalText.escaped(ticket.chat)))  opened "
                + ISO8601DateFormatter().string(from: ticket.openedAt) + answered
        }

        /// The customer's name and handle, escaped for the terminal.
        static func who(_ ticket: AdminWire.TicketRow) -> String {
            TerminalText.escaped(ticket.name + (ticket.handle.map { " @\($0)" } ?? ""))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One ticket and its whole conversation, as decided.")
        @OptionGroup var admin: AdminOptions
        @Argument(help: "The ticket's number.") var number: Int64

        func run() async throws {
            let detail: AdminWire.TicketDetail = try await AdminClient(socket: admin.socket).get("/desk/tickets/\(number)")
            let ticket = detail.ticket
            print("#\(ticket.number)  \(ticket.state)  \(Tickets.who(ticket))  \(ticket.platform) \(TerminalText.escaped(ticket.chat))")
            let format = ISO8601DateFormatter()
            for entry in detail.entries {
                let text = entry.text.map { TerminalText.escaped($0) } ?? "(content erased)"
                print(
                    "  \(format.string(from: entry.time))  #\(entry.record)  \(TerminalText.escaped(entry.from)) → \(TerminalText.escaped(entry.to))  \(entry.verdict)  \(text)"
                )
            }
        }
    }
}
