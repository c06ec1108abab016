import Foundation

/// A named conversation on a platform, as the config declares it.
public struct Channel: Sendable, Hashable {
    /// The config's name for it (`news`, `all-hands`).
    public var name: String
    /// The name of the platform it lives on (`corp`, `outreach`).
    public var platform: String
    /// Where on that platform.
    public var address: Address
    /// The time zone of the people it reaches (`tz:`), for announcements scheduled at a local hour.
    public var timeZone: TimeZone?

    /// Where a channel is on its platform.
    public enum Address: Sendable, Hashable {
        /// A DingTalk group, by its openConversationId (`cid…`).
        case conversation(String)
        /// A Telegram chat: a numeric id or `@username`, optionally one forum topic.
        case chat(String, topic: Int64?)
        /// A DingTalk custom group robot's webhook (`access_token`), with its signing secret
        /// (`SEC…`) when the robot's security setting signs. Send-only: nothing arrives from it.
        case robotWebhook(accessToken: Secret, secret: Secret?, mentions: Mentions = .none)
        /// People on DingTalk, each in their one-to-one chat with the app robot
        /// (`oToMessages/batchSend`, at most 20 staff ids). Send-only: a person's own messages to
        /// the robot arrive in the chat's `conversation`.
        case users([String])
        /// The platform's announcements (DingTalk 公告, pushed as `blackboard_sent` events).
        /// Receive-only: Gatehouse does not publish announcements.
        case announcements
        /// Every private chat people have with the bot (Telegram `chat: private`): each customer's
        /// conversation is a ticket, and what is sent here goes to one of them, the ticket's.
        case privateChats

        /// Whether messages can be sent here.
        public var sends: Bool {
            if case .announcements = self { return false }
            return true
        }

        /// Whether messages arrive from here, so that a route can take them.
        public var receives: Bool {
            switch self {
            case .robotWebhook, .users: false
            case .conversation, .chat, .announcements, .privateChats: true
            }
        }

        /// The address as an operator finds it on the platform (`chat -1001234 topic 42`), for logs.
        public var logDescription: String {
            switch self {
            case .conversation(let id): "conversation \(id)"
            case .chat(let chat, nil): "chat \(chat)"
            case .chat(let chat, let topic?): "chat \(chat) topic \(topic)"
            // The token is the credential: a log names the channel, not the token.
            case .robotWebhook: "custom robot webhook"
            case .users(let ids): "one-to-one with \(ids.joined(separator: ", "))"
            case .announcements: "announcements"
            case .privateChats: "private chats"
            }
        }
    }

    public init(name: String, platform: String, address: Address, timeZone: TimeZone? = nil) {
        self.name = name
        self.platform = platform
        self.address = address
        self.timeZone = timeZone
    }

    /// Whether the two name the same place on the same platform (whatever else differs).
    public func isSamePlace(as other: Channel) -> Bool {
        platform == other.platform && address == other.address
    }

    /// The origin conversation of an announcement: announcements belong to no chat, and no
    /// platform's conversation id looks like this.
    public static let announcementConversation = "(announcements)"

    /// The label adapters put on a message posted in a private chat with the bot.
    public static let privateLabel = "private"

    /// Whether an event that originated at `origin` was posted in this channel.
    ///
    /// A chat without a topic covers all of its topics; `@username` matches the chat's handle,
    /// case-insensitively, as Telegram usernames are.
    public func contains(_ origin: Envelope.Origin) -> Bool {
        guard origin.platform == platform else { return false }
        switch address {
        case .conversation(let id):
            return origin.conversation == id
        case .chat(let chat, let topic):
            if let topic, origin.topic != topic { return false }
            if chat.hasPrefix("@") {
                guard let handle = origin.handle else { return false }
                return chat.dropFirst().lowercased() == handle.lowercased()
            }
            return origin.conversation == chat
        case .announcements:
            return origin.conversation == Self.announcementConversation
        case .privateChats:
            // Which chats are private the adapter says (the `private` label): the router asks.
            return true
        case .robotWebhook, .users:
            return false
        }
    }
}

extension Channel {
    /// Whom a DingTalk custom robot's messages @-mention (its `at`): those people are notified.
    /// The platform shows an @ only where the text names the person, so the adapter adds the
    /// names the text lacks.
    public struct Mentions: Sendable, Hashable {
        /// DingTalk user ids (staff ids).
        public var userIDs: [String]
        /// Mobile numbers of group members.
        public var mobiles: [String]
        /// @all: everyone in the group.
        public var all: Bool

        public init(userIDs: [String] = [], mobiles: [String] = [], all: Bool = false) {
            self.userIDs = userIDs
            self.mobiles = mobiles
            self.all = all
        }

        public static let none = Mentions()

        public var isEmpty: Bool { userIDs.isEmpty && mobiles.isEmpty && !all }
    }
}
