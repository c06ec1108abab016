import Foundation

/// One customer conversation at the support desk: a short number, who the customer is, and
/// where it stands (open → claimed → closed; reopened when the customer writes again).
public struct Ticket: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, CaseIterable {
        case open, claimed, closed
    }

    public var number: Int64
    /// The platform (config name) and the customer's chat there.
    public var platform: String
    public var chat: String
    /// The customer: their id, name, handle and language as the platform gave them last.
    public var customerID: String
    public var name: String
    public var handle: String?
    public var language: String?
    public var state: State
    /// Who claimed it at the desk.
    public var claimedBy: String?
    /// The staff id of who took it to answer from their one-to-one chat (`/take`), until `/release`.
    public var takenBy: String?
    public var openedAt: Date
    /// When the desk first answered (since it was last opened).
    public var firstResponseAt: Date?
    public var closedAt: Date?
    /// The native id of the customer's latest message: what an answer replies to.
    public var lastMessage: String?
    /// The Telegram Business connection the customer last wrote through, if any.
    public var connection: String?

    public init(
        number: Int64,
        platform: String,
        chat: String,
        customerID: String,
        name: String,
        handle: String? = nil,
        language: String? = nil,
        state: State = .open,
        claimedBy: String? = nil,
        takenBy: String? = nil,
        openedAt: Date,
        firstResponseAt: Date? = nil,
        closedAt: Date? = nil,
        lastMessage: String? = nil,
        connection: String? = nil
    ) {
        self.connection = connection
        self.number = number
        self.platform = platform
        self.chat = chat
        self.customerID = customerID
        self.name = name
        self.handle = handle
        self.language = language
        self.state = state
        self.claimedBy = claimedBy
        self.takenBy = takenBy
        self.openedAt = openedAt
        self.firstResponseAt = firstResponseAt
        self.closedAt = closedAt
        self.lastMessage = lastMessage
    }

    /// The first number the desk gives.
    public static let firstNumber: Int64 = 1001
}
