import ArgumentParser
import GatehouseRuntime

/// `gatehouse withdraw`: takes back every copy of a message everywhere it went.
struct Withdraw: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take back every copy of a message, everywhere it went (through the daemon's admin socket).",
        discussion: """
            Name the message by one of its crossing records (`gatehouse audit query` shows them) or by where it was \
            posted (--platform, --conversation, --message). Deliveries not yet made are cancelled; each copy is \
            deleted (Telegram deleteMessage, or, past Telegram's 48 hours, edited to the route's `withdrawn:` notice; \
            DingTalk recall). Every step is audited with your identity and the reason.
            """
    )

    @OptionGroup var admin: AdminOptions
    @Argument(help: "The audit record of one of the message's crossings.") var crossing: Int64?
    @Option(name: .long, help: "The platform the message was posted on (its config name).") var platform: String?
    @Option(name: .long, help: "The conversation it was posted in (a Telegram chat id, a DingTalk conversation id).") var conversation: String?
    @Option(name: .long, help: "Its id there.") var message: String?
    @Option(name: .long, help: "Why (recorded in the audit log).") var reason: String

    func validate() throws {
        let byOrigin = [platform, conversation, message].compactMap { $0 }
        guard (crossing != nil) != (byOrigin.count == 3) else {
            throw ValidationError("name the message by a crossing record, or by --platform, --conversation and --message (one of the two)")
        }
    }

    func run() async throws {
        let request = AdminWire.WithdrawalRequest(
            crossing: crossing,
            platform: platform,
            conversation: conversation,
            message: message,
            reason: reason
        )
        let done: AdminWire.Withdrawn = try await AdminClient(socket: admin.socket).post("/withdrawals", request)
        if done.destinations.isEmpty {
            print("nothing was delivered yet; \(done.cancelled) delivery(ies) cancelled by \(done.approver)")
        } else {
            print(
                "taking back the copies at \(done.destinations.joined(separator: ", ")) by \(done.approver): audit records "
                    + done.records.map(String.init).joined(separator: ", ")
                    + (done.cancelled > 0 ? "; \(done.cancelled) delivery(ies) not yet made cancelled" : "")
            )
        }
    }
}
