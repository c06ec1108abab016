/// Who may decide a route's holds, how many of them must agree, and by when (the route's
/// `reviewers:`, `approvals:`, `hold_timeout:` and their companions).
///
/// A hold is approved once `approvals` distinct reviewers approved it; one rejection rejects it
/// (the safe side wins). The sender of the held message never counts as its reviewer.
public struct ReviewRule: Sendable, Hashable {
    /// Who may decide: DingTalk staff, a DingTalk department, a Unix group (for the CLI and the
    /// admin API).
    public var reviewers: [Reviewer]
    /// How many distinct reviewers must approve (`approvals: 2` is four eyes).
    public var approvals: Int
    /// How long a hold may wait for its decision (`hold_timeout:`); nil waits for ever.
    public var timeout: Duration?
    /// What happens when it waited that long.
    public var onTimeout: Expiry
    /// Where the review card goes: a DingTalk group channel (`review_in:`); nil sends it to
    /// each staff reviewer's one-to-one chat with the robot.
    public var room: String?
    /// Whether the sender is told, in their one-to-one chat with the robot, that their message is
    /// waiting for review and then how it was decided (`tell_sender: true`).
    public var tellSender: Bool
    /// How long before the deadline the card is marked with a reminder (`remind_before:`); nil
    /// when a quarter of the timeout is left.
    public var remindBefore: Duration?

    /// What a hold that waited `timeout` becomes.
    public enum Expiry: Sendable, Hashable {
        /// Rejected: it is never delivered.
        case reject
        /// Handed to a second list of reviewers, with a fresh deadline; rejected if that passes too.
        case escalate([Reviewer])
    }

    public init(
        reviewers: [Reviewer],
        approvals: Int = 1,
        timeout: Duration? = nil,
        onTimeout: Expiry = .reject,
        room: String? = nil,
        tellSender: Bool = false,
        remindBefore: Duration? = nil
    ) {
        self.reviewers = reviewers
        self.approvals = approvals
        self.timeout = timeout
        self.onTimeout = onTimeout
        self.room = room
        self.tellSender = tellSender
        self.remindBefore = remindBefore
    }

    /// When the reminder is due, counted back from a deadline.
    public var reminderLead: Duration? {
        remindBefore ?? timeout.map { $0 / 4 }
    }

    /// The reviewers after an escalation, or the first list.
    public func reviewers(escalated: Bool) -> [Reviewer] {
        if escalated, case .escalate(let second) = onTimeout { return second }
        return reviewers
    }
}

/// One entry of `reviewers:`.
public enum Reviewer: Sendable, Hashable, CustomStringConvertible {
    /// A DingTalk person by staff id (`staff:manager01`).
    case staff(String)
    /// Everyone in a DingTalk department, by its name as the directory gives it (`department:合规部`).
    case department(String)
    /// Members of a local Unix group, deciding with `gatehouse holds` (`group:compliance`).
    case unixGroup(String)

    /// Reads `staff:ID`, `department:NAME` or `group:NAME`.
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let value = String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { return nil }
        switch text[..<colon] {
        case "staff": self = .staff(value)
        case "department": self = .department(value)
        case "group": self = .unixGroup(value)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .staff(let id): "staff:\(id)"
        case .department(let name): "department:\(name)"
        case .unixGroup(let name): "group:\(name)"
        }
    }

    /// Whether `identity` is this reviewer.
    public func admits(_ identity: ReviewerIdentity) -> Bool {
        switch (self, identity.via) {
        case (.staff(let id), .dingtalk): identity.id == id
        case (.department(let name), .dingtalk): identity.departments.contains(name)
        case (.unixGroup(let group), .unix): identity.groups.contains(group)
        default: false
        }
    }
}

extension [Reviewer] {
    /// The staff ids named one by one (those a card can be sent to).
    public var staff: [String] {
        compactMap { if case .staff(let id) = $0 { id } else { nil } }
    }
}
