/// Who decided (or tried to decide) a hold, as the audit log records them: a DingTalk person as
/// the card's callback and the directory name them, or a local user as the admin socket's peer
/// credentials give them.
public struct ReviewerIdentity: Sendable, Hashable, Codable {
    /// How the person reached Gatehouse.
    public enum Via: String, Sendable, Hashable, Codable {
        /// A review card in DingTalk (or a `#H12` reply to the robot).
        case dingtalk
        /// `gatehouse holds` or the admin API, on the server.
        case unix
    }

    public var via: Via
    /// The DingTalk staff id, or the Unix uid.
    public var id: String
    /// The person's name (DingTalk's directory) or login name.
    public var name: String?
    /// The departments (DingTalk) or groups (Unix) the decision was judged with; recorded so an
    /// auditor sees why a reviewer was admitted.
    public var department: String?
    /// The config's name of the DingTalk platform the decision came through.
    public var platform: String?
    /// Each department by itself (not recorded: ``department`` joins them).
    public var departments: [String]
    /// The Unix groups the person is a member of (not recorded).
    public var groups: [String]

    enum CodingKeys: String, CodingKey {
        case via, id, name, department, platform
    }

    public init(
        via: Via,
        id: String,
        name: String? = nil,
        departments: [String] = [],
        groups: [String] = [],
        platform: String? = nil
    ) {
        self.via = via
        self.id = id
        self.name = name
        self.departments = departments
        self.groups = groups
        self.platform = platform
        let joined = (via == .unix ? groups : departments).joined(separator: "、")
        self.department = joined.isEmpty ? nil : joined
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        via = try container.decode(Via.self, forKey: .via)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        department = try container.decodeIfPresent(String.self, forKey: .department)
        platform = try container.decodeIfPresent(String.self, forKey: .platform)
        departments = via == .dingtalk ? department?.components(separatedBy: "、") ?? [] : []
        groups = via == .unix ? department?.components(separatedBy: "、") ?? [] : []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(via, forKey: .via)
        try container.encode(id, forKey: .id)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(department, forKey: .department)
        try container.encodeIfPresent(platform, forKey: .platform)
    }

    /// One line for logs, cards and the CLI: `Wang Li (manager01, 合规部)`; `uid 1000 (alice)`,
    /// as the admin socket names its callers.
    public var display: String {
        if via == .unix { return "uid \(id)" + (name.map { " (\($0))" } ?? "") }
        return "\(name ?? id) (" + ([id] + [department].compactMap { $0 }).joined(separator: ", ") + ")"
    }

    /// Whether this is the person who sent a message (the same platform's id; a Unix user is
    /// never a DingTalk sender).
    public func isSender(_ senderID: String?, onPlatform platform: String?) -> Bool {
        guard via == .dingtalk, let senderID, !senderID.isEmpty else { return false }
        return senderID == id && (platform == nil || self.platform == nil || platform == self.platform)
    }
}
