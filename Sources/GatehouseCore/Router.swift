/// Finds where an envelope came from and which routes take it.
public struct Router: Sendable {
    /// Every configured channel, by name.
    public let channels: [String: Channel]
    /// Every route, in config order.
    public let routes: [Route]
    /// Channels by (platform, native conversation id), and Telegram `@username` channels by
    /// (platform, lowercased handle): a message finds its channels without scanning them all.
    private let byConversation: [Key: [Channel]]
    private let byHandle: [Key: [Channel]]
    /// Channels of every private chat with a platform's bot, by platform.
    private let privateChats: [String: [Channel]]

    private struct Key: Hashable, Sendable {
        var platform: String
        var id: String
    }

    public init(channels: [String: Channel], routes: [Route]) {
        self.channels = channels
        self.routes = routes
        var byConversation: [Key: [Channel]] = [:]
        var byHandle: [Key: [Channel]] = [:]
        var privateChats: [String: [Channel]] = [:]
        for channel in channels.values {
            switch channel.address {
            case .conversation(let id):
                byConversation[Key(platform: channel.platform, id: id), default: []].append(channel)
            case .chat(let chat, _) where chat.hasPrefix("@"):
                byHandle[Key(platform: channel.platform, id: chat.dropFirst().lowercased()), default: []].append(channel)
            case .chat(let chat, _):
                byConversation[Key(platform: channel.platform, id: chat), default: []].append(channel)
            case .announcements:
                byConversation[Key(platform: channel.platform, id: Channel.announcementConversation), default: []].append(channel)
            case .privateChats:
                privateChats[channel.platform, default: []].append(channel)
            case .robotWebhook, .users:
                // Send-only: nothing is posted "in" a webhook or a set of one-to-one chats.
                continue
            }
        }
        self.byConversation = byConversation
        self.byHandle = byHandle
        self.privateChats = privateChats
    }

    /// The configured channels the envelope was posted in, most specific first
    /// (a channel naming a forum topic before the channel of the whole chat).
    public func sources(of envelope: Envelope) -> [Channel] {
        let origin = envelope.origin
        var candidates = byConversation[Key(platform: origin.platform, id: origin.conversation)] ?? []
        if let handle = origin.handle {
            candidates += byHandle[Key(platform: origin.platform, id: handle.lowercased())] ?? []
        }
        if envelope.labels.contains(Channel.privateLabel) {
            candidates += privateChats[origin.platform] ?? []
        }
        return
            candidates
            .filter { $0.contains(origin) }
            .sorted { specificity($0) > specificity($1) || specificity($0) == specificity($1) && $0.name < $1.name }
    }

    /// The routes whose `from` names `channel`, in config order.
    public func routes(from channel: String) -> [Route] {
        routes.filter { $0.from.contains(channel) }
    }

    private func specificity(_ channel: Channel) -> Int {
        if case .chat(_, topic: .some) = channel.address { return 1 }
        return 0
    }
}
