import Foundation

/// The normalized message inside Gatehouse, whatever platform it came from.
public struct Envelope: Sendable, Hashable, Codable {
    /// Where the event was posted, and its identity there.
    public var origin: Origin
    /// Who posted it.
    public var sender: Sender
    /// A new post, an edit of an earlier post, or a deletion.
    public var kind: Kind
    /// The text and its formatting.
    public var body: Body
    /// Metadata of attached files; the files themselves are fetched only when a route forwards them.
    public var attachments: [Attachment]
    /// The native id of the message this one replies to, on the origin platform.
    public var replyTo: String?
    /// When the platform says it was posted.
    public var time: Date
    /// Free-form labels adapters attach (`announcement`, `bot`), for routes to select on.
    public var labels: Set<String>
    /// What the message is beyond its text (a sticker, a poll); nil for text (and for envelopes
    /// recorded before kinds were).
    public var contentKind: ContentKind?
    /// The content in a form a destination can send again natively (a location, a poll, a
    /// sticker), whose label is in `body`; nil for text and files.
    public var native: NativeContent?
    /// The support-desk ticket a customer's message belongs to (set at intake).
    public var ticket: Int64?
    /// For a desk's answer to a ticket (`#1042 …`): the customer it goes to (set at intake).
    public var addressee: Addressee?
    /// The text of the message this one quotes, as the platform showed it (a DingTalk quoted
    /// reply): a desk answer quoting a ticket's message is addressed by the ticket in its heading.
    public var quote: String?
    /// The Telegram Business connection the message came through (a customer writing to a
    /// business account connected to the bot): answers go back through it.
    public var connection: String?

    public init(
        origin: Origin,
        sender: Sender,
        kind: Kind = .post,
        body: Body,
        attachments: [Attachment] = [],
        replyTo: String? = nil,
        time: Date,
        labels: Set<String> = [],
        contentKind: ContentKind? = nil,
        native: NativeContent? = nil,
        quote: String? = nil
    ) {
        self.quote = quote
        self.origin = origin
        self.sender = sender
        self.kind = kind
        self.body = body
        self.attachments = attachments
        self.replyTo = replyTo
        self.time = time
        self.labels = labels
        self.contentKind = contentKind
        self.native = native
    }

    /// The origin of an event: the platform, the native conversation and the native ids.
    public struct Origin: Sendable, Hashable, Codable {
        /// The config's name of the platform (`corp`).
        public var platform: String
        /// The native conversation id (a DingTalk `cid…`, a Telegram chat id).
        public var conversation: String
        /// The conversation's public handle, when it has one (a Telegram `@username`, without the `@`).
        public var handle: String?
        /// The forum topic, when the platform has topics.
        public var topic: Int64?
        /// The native id of the message.
        public var messageID: String
        /// The identity of this delivery event, unique per platform: what inbound dedup keys on.
        /// An edit has the same `messageID` as its post but its own `eventID`.
        public var eventID: String

        public init(
            platform: String,
            conversation: String,
            handle: String? = nil,
            topic: Int64? = nil,
            messageID: String,
            eventID: String
        ) {
            self.platform = platform
            self.conversation = conversation
            self.handle = handle
            self.topic = topic
            self.messageID = messageID
            self.eventID = eventID
        }
    }

    /// The author of a message.
    public struct Sender: Sendable, Hashable, Codable {
        /// The platform's id for the person (a DingTalk staff id, a Telegram user id).
        public var id: String
        /// A display name.
        public var name: String
        /// The department, where the platform knows it (several, joined with "、", as DingTalk
        /// shows them).
        public var department: String?
        /// Each department by itself, for checks that name departments.
        public var departments: [String]?
        /// The person's public handle, where the platform has one (a Telegram `@username`,
        /// without the `@`).
        public var handle: String?
        /// The language the person's client uses (an IETF tag, `zh-hans`), where the platform says.
        public var language: String?

        public init(id: String, name: String, department: String? = nil, departments: [String]? = nil) {
            self.id = id
            self.name = name
            self.department = department
            self.departments = departments ?? department.map { [$0] }
        }
    }

    /// The label of a platform's report that a copy Gatehouse sent was recalled there
    /// (DingTalk's `robot_msg_recall`): the envelope's origin is the copy (its conversation and
    /// native id), its sender who recalled it. Intake records it; it is never decided.
    public static let recalledCopyLabel = "recalled_copy"

    /// What happened to a message.
    public enum Kind: String, Sendable, Hashable, Codable {
        case post, edit, delete
    }

    /// The content of a message: its text and formatting.
    public typealias Body = RichText

    /// Metadata of an attached file.
    public struct Attachment: Sendable, Hashable, Codable {
        /// The platform's handle to fetch it later (never a URL with a credential in it).
        public var reference: String
        public var name: String?
        public var mimeType: String?
        public var bytes: Int?
        /// It came as a photo (a picture the platform compressed and shows inline), not as a file:
        /// a picture sent as a file goes on as a file, untouched.
        public var isPhoto: Bool?
        /// The form it came as, when it is more than a file (an animation, a video, a voice note, a
        /// sticker): a destination that has the form sends it so, others as a file.
        public var kind: ContentKind?
        /// Its length in seconds, for audio and video.
        public var duration: Int?

        public init(
            reference: String,
            name: String? = nil,
            mimeType: String? = nil,
            bytes: Int? = nil,
            isPhoto: Bool? = nil,
            kind: ContentKind? = nil,
            duration: Int? = nil
        ) {
            self.reference = reference
            self.name = name
            self.mimeType = mimeType
            self.bytes = bytes
            self.isPhoto = isPhoto
            self.kind = kind
            self.duration = duration
        }

        /// The form it came as: a photo, a document (a plain file), or a kind of its own.
        public var form: ContentKind {
            if let kind { return kind }
            return isPhoto == true ? .photo : .document
        }
    }
}
