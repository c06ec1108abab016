/// One endpoint of an emulator's control API (`/_emulator/…`): how a test or a user drives the
/// sandbox. Each emulator lists all of its own (``TelegramEmulator/controlEndpoints``,
/// ``DingTalkEmulator/controlEndpoints``); `gatehouse emulate` prints them at start and the
/// README documents them, so that none is known only from the source.
public struct ControlEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `GET`, `POST` or `DELETE`.
    public var method: String
    /// The path, with `{…}` for a part the caller fills in.
    public var path: String
    /// What it does, and the body it takes.
    public var summary: String

    public init(_ method: String, _ path: String, _ summary: String) {
        self.method = method
        self.path = path
        self.summary = summary
    }

    public var description: String { "\(method) \(path) — \(summary)" }
}

extension TelegramEmulator {
    /// Every endpoint of the Telegram emulator's control API.
    public static let controlEndpoints = [
        ControlEndpoint(
            "POST",
            "/_emulator/updates",
            #"a user's message, edit or channel post: {"kind","chat","from","text","entities"?,"message_thread_id"?,"document"?|"photo"?|"media"?: {"voice": {…}},"media_group_id"?,"content"?: {"location": {…}}}, or an array of them at once (an album)"#
        ),
        ControlEndpoint("POST", "/_emulator/chats", #"declares a chat the bot is in: {"id","type","title"?,"username"?,"is_forum"?,"topics"?}"#),
        ControlEndpoint("POST", "/_emulator/migrate", #"upgrades a group to a supergroup: {"chat_id","to"}"#),
        ControlEndpoint(
            "POST",
            "/_emulator/business",
            #"connects a business account to the bot (then inject "business_message"s with its "business_connection_id"): {"id","user","user_chat_id"}"#
        ),
        ControlEndpoint("POST", "/_emulator/blocks", #"a person blocks the bot: sends to their private chat get 403: {"chat_id"}"#),
        ControlEndpoint("POST", "/_emulator/faults", #"refuses a share of requests: {"rate","retry_after"?,"seed"?,"kinds"?: ["429","500","502"]}"#),
        ControlEndpoint("GET", "/_emulator/sent", "what the bot sent, edited and deleted (?chat_id= one chat)"),
        ControlEndpoint("GET", "/_emulator/stats", "requests, 429s and faults counted"),
    ]
}

extension DingTalkEmulator {
    /// Every endpoint of the DingTalk emulator's control API.
    public static let controlEndpoints = [
        ControlEndpoint(
            "POST",
            "/_emulator/messages",
            #"a robot message from a user, over Stream or the callback URL: {"conversationId","senderStaffId","senderNick","text"|"file": {"msgtype","fileName","content"},…}"#
        ),
        ControlEndpoint("POST", "/_emulator/robots", #"registers a custom robot: {"accessToken","secret"?,"keywords","conversationId"}"#),
        ControlEndpoint(
            "POST",
            "/_emulator/callback",
            #"posts robot messages, signed, to this URL instead of Stream: {"url"} (null: back to Stream)"#
        ),
        ControlEndpoint(
            "POST",
            "/_emulator/blackboards",
            #"publishes an announcement, pushed as a blackboard_sent EVENT: {"title","content","senderStaffId","privateLevel"?,"attachments"?}"#
        ),
        ControlEndpoint("DELETE", "/_emulator/blackboards/{id}", "deletes an announcement"),
        ControlEndpoint(
            "POST",
            "/_emulator/directory",
            #"adds people and departments to the directory: {"people": [{"userid","name","dept_id_list"}], "departments": [{"dept_id","name"}]}"#
        ),
        ControlEndpoint(
            "POST",
            "/_emulator/cards/click",
            #"a person clicks a card's button; its callback's answer updates the card: {"outTrackId","userId","params": {"action","reason"?,…},"actionId"?}"#
        ),
        ControlEndpoint("GET", "/_emulator/cards", "the interactive cards with their data as everyone sees it (?outTrackId= one card)"),
        ControlEndpoint("POST", "/_emulator/events", #"pushes any other EVENT: {"eventType","data"}"#),
        ControlEndpoint("POST", "/_emulator/disconnect", "sends every Stream connection a SYSTEM disconnect, then closes it after the grace"),
        ControlEndpoint("POST", "/_emulator/zombie", "turns every Stream connection into a zombie: open, and nothing reaches the client"),
        ControlEndpoint("GET", "/_emulator/sent", "what the robots sent and recalled (?conversation= one conversation)"),
        ControlEndpoint("GET", "/_emulator/stats", "requests and throttling counted"),
        ControlEndpoint("GET", "/_emulator/stream", "the Stream side: connections, pushes, ACKs, redeliveries"),
    ]
}
