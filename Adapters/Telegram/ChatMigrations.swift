import GatehouseCore
import Logging
import Synchronization

/// Groups that Telegram upgraded to supergroups (`migrate_to_chat_id`): once a send learns that a
/// configured chat moved, every later send goes to the new id, in this run and, through the
/// ledger, in the next ones.
final class ChatMigrations: Sendable {
    private let platform: String
    private let store: (any CursorStore)?
    private let logger: Logger
    /// Chats looked up so far: the id each is sent to now (itself when it never moved).
    private let known = Mutex<[String: String]>([:])

    init(platform: String, store: (any CursorStore)?, logger: Logger) {
        self.platform = platform
        self.store = store
        self.logger = logger
    }

    /// The id to send to for a configured chat.
    func current(_ chat: String) async -> String {
        if let known = known.withLock({ $0[chat] }) { return known }
        var current = chat
        do {
            current = try await store?.cursor(for: key(chat)) ?? chat
        } catch {
            logger.warning("cannot read chat migrations; sending to the configured id", metadata: ["gh.error": .string(String(describing: error))])
        }
        known.withLock { $0[chat] = current }
        return current
    }

    /// The configured chat that moved to `chat`, if one did: messages from the new supergroup
    /// are taken as the configured group's, so the channel that named it still matches.
    func original(of chat: String) -> String? {
        known.withLock { known in known.first { $0.value == chat && $0.key != chat }?.key }
    }

    /// Reads what earlier runs learned of the configured chats, so that inbound messages from a
    /// supergroup map back from the first one.
    func load(_ chats: [String]) async {
        for chat in chats { _ = await current(chat) }
    }

    /// Records that `chat` (a configured id, or an id it had already moved to) now is `newID`.
    func record(_ chat: String, movedTo newID: String) async {
        let configured = known.withLock { known in
            // Whatever configured chat pointed at the old id follows it to the new one.
            let origins = known.filter { $0.value == chat }.map(\.key)
            for origin in origins + [chat] { known[origin] = newID }
            return origins.isEmpty ? [chat] : origins
        }
        logger.warning(
            "Telegram group was upgraded to a supergroup; sending to its new id from now on (update the config's chat)",
            metadata: [
                "gh.chat": .string(chat), "gh.new_chat": .string(newID),
            ]
        )
        for origin in configured {
            do {
                try await store?.saveCursor(newID, for: key(origin))
            } catch {
                logger.warning(
                    "cannot save a chat migration; it will be learned again after a restart",
                    metadata: ["gh.error": .string(String(describing: error))]
                )
            }
        }
    }

    private func key(_ chat: String) -> String {
        "\(platform)#migrated:\(chat)"
    }
}
