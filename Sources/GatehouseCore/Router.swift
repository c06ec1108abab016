/// Finds where an envelope came from and which routes take it.
public struct Router: Sendable {
    /// Every configured channel, by name.
    public let channels: [String: Channel]
    /// Every route, in config order.
    public let routes: [Route]

    public init(channels: [String: Channel], routes: [Route]) {
        self.channels = channels
        self.routes = routes
    }

    /// The configured channels the envelope was posted in, most specific first
    /// (a channel naming a forum topic before the channel of the whole chat).
    public func sources(of envelope: Envelope) -> [Channel] {
        channels.values
            .filter { $0.contains(envelope.origin) }
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
