/// A named conversation on a platform, as the config declares it.
public struct Channel: Sendable, Hashable {
    /// The config's name for it (`news`, `all-hands`).
    public var name: String
    /// The name of the platform it lives on (`corp`, `outreach`).
    public var platform: String
    /// Where on that platform.
    public var address: Address

    /// Where a channel is on its platform.
    public enum Address: Sendable, Hashable {
        /// A DingTalk group, by its openConversationId (`cid…`).
        case conversation(String)
        /// A Telegram chat: a numeric id or `@username`, optionally one forum topic.
        case chat(String, topic: Int64?)
        /// A DingTalk custom group robot's webhook (`access_token`), with its signing secret
        /// (`SEC…`) when the robot's security setting signs. Send-only: nothing arrives from it.
        case robotWebhook(accessToken: Secret, secret: Secret?)

        /// The address as an operator finds it on the platform (`chat -1001234 topic 42`), for logs.
        public var logDescription: String {
            switch self {
            case .conversation(let id): "conversation \(id)"
            case .chat(let chat, nil): "chat \(chat)"
            case .chat(let chat, let topic?): "chat \(chat) topic \(topic)"
            // The token is the credential: a log names the channel, not the token.
            case .robotWebhook: "custom robot webhook"
            }
        }
    }

    public init(name: String, platform: String, address: Address) {
        self.name = name
        self.platform = platform
        self.address = address
    }

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
        case .robotWebhook:
            return false
        }
    }
}
