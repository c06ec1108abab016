import Foundation

/// The code that speaks one platform type's protocol, both ways.
///
/// The runtime knows adapters only through this protocol; the executable wires the concrete ones.
/// Adapters throw ``DeliveryError`` from `send`, `edit` and `delete`, classifying each failure at the
/// edge as transient (retry later) or permanent (dead-letter). Any other error is treated as transient.
public protocol Adapter: Sendable {
    /// The config's name of the platform this adapter serves.
    var platform: String { get }

    /// Runs intake until the task is cancelled: hands inbound events to `handler` in the platform's
    /// order, waiting for it to return before handing over more.
    ///
    /// An adapter hands over together what arrived together (a getUpdates answer), so they can be
    /// committed in one transaction. The handler commits each event's crossings and then calls its
    /// ``Acknowledgement``, in order; an event whose acknowledgement was not called when the handler
    /// returned (or threw) must be redelivered by the platform (or by the adapter after a
    /// reconnect), which inbound dedup turns into exactly-once decisions.
    /// Connection failures are retried with backoff inside; the method returns only when cancelled,
    /// or, for an adapter whose platform pushes its events (``PushReceiving``), once the platform
    /// knows where to push them: those events come through the gateway's push door, not `handler`.
    func receive(_ handler: @escaping InboundHandler) async throws

    /// Whether ``standDown()`` makes ``receive(_:)`` return: the platform pushes each event once,
    /// to one of the connections open, so an instance that is no longer active must close its
    /// own before it stops, and take in what was pushed to it first.
    var standsDown: Bool { get }

    /// Tells the platform to push elsewhere, for an instance that lost a shared ledger's lease:
    /// what the platform sent before it heard is still handed to the handler (which hands it to
    /// the active instance), and then ``receive(_:)`` returns. Returns at once.
    func standDown() async

    /// Sends a new message and returns the native ids of every message it took (a long text may
    /// be split). Parts an earlier attempt delivered (`progress.delivered`) are not sent again;
    /// each part delivered now is reported to `progress` before the next is sent.
    func send(_ message: OutboundMessage, progress: PartProgress) async throws -> [String]

    /// Replaces the content of an earlier send (all its parts) and returns the native ids now in
    /// place. An adapter whose edit sends new messages reports the ids in place after each to
    /// `progress`; a retry of the edit then starts from those ids instead of the earlier send's.
    func edit(_ nativeIDs: [String], with message: OutboundMessage, progress: PartProgress) async throws -> [String]

    /// Removes an earlier send (all its parts), at `priority` among the sends waiting for a turn.
    func delete(_ nativeIDs: [String], in channel: Channel, priority: DeliveryPriority) async throws

    /// Withdraws an earlier send the platform will not delete any more (``DeliveryError/notRemovable(_:)``):
    /// every part still there is made to read `notice` in place, and its native ids are returned.
    /// Parts already gone are skipped. An adapter that cannot edit in place throws.
    func withdraw(_ nativeIDs: [String], in channel: Channel, notice: String, priority: DeliveryPriority) async throws -> [String]

    /// Whether ``send(_:progress:)`` sends the attachments' files; when not, it gets their
    /// metadata alone and no way to fetch them.
    var acceptsFiles: Bool { get }

    /// Fires when `receive` has made its first attempt to reach the platform (connected or not;
    /// where the platform pushes what waited for a connection as it opens, once that is
    /// committed); nil for an adapter that needs no connection to start.
    var started: StartSignal? { get }

    /// The sender as the platform's directory knows them (their name, their departments), for
    /// `{sender.name}`, `{sender.dept}` and checks that name departments. Never fails and never
    /// waits long: what cannot be had leaves the sender as it came.
    func describe(_ sender: Envelope.Sender) async -> Envelope.Sender

    /// Whether ``describe(_:)`` asks a directory at all (intake asks only adapters that do).
    var describesSenders: Bool { get }

    /// Where one private chat of a channel of private chats is (an ``Addressee``'s `chat`): a
    /// Telegram chat by its id; a DingTalk one-to-one chat with the robot by the person's staff id.
    func address(ofPrivateChat chat: String) -> Channel.Address

    /// The bytes of an attachment that arrived on this platform, for a route that forwards it.
    /// Fetched only then, and only within `limit` bytes; never by handing on a URL that embeds
    /// a credential.
    func download(_ attachment: Envelope.Attachment, limit: Int) async throws -> AttachedFile
}

extension Adapter {
    /// A platform that pushes an event again until it is acknowledged, or whose events are
    /// pulled, loses nothing when an instance merely stops: nothing to do.
    public var standsDown: Bool { false }

    public func standDown() async {}

    /// Sends a message from its first part.
    public func send(_ message: OutboundMessage) async throws -> [String] {
        try await send(message, progress: .none)
    }

    /// Edits an earlier send, reporting no progress.
    public func edit(_ nativeIDs: [String], with message: OutboundMessage) async throws -> [String] {
        try await edit(nativeIDs, with: message, progress: .none)
    }

    public var acceptsFiles: Bool { false }

    public func withdraw(_ nativeIDs: [String], in channel: Channel, notice: String, priority: DeliveryPriority) async throws -> [String] {
        throw DeliveryError.rejected("platform '\(platform)' cannot edit a message in place to withdraw it")
    }

    public var started: StartSignal? { nil }

    public func describe(_ sender: Envelope.Sender) async -> Envelope.Sender { sender }

    public var describesSenders: Bool { false }

    public func address(ofPrivateChat chat: String) -> Channel.Address { .chat(chat, topic: nil) }

    public func download(_ attachment: Envelope.Attachment, limit: Int) async throws -> AttachedFile {
        throw DeliveryError.rejected("platform '\(platform)' cannot fetch attachments")
    }
}

/// An attachment's bytes, fetched from its origin to be sent on.
public struct AttachedFile: Sendable, Hashable {
    public var name: String
    public var mimeType: String?
    public var data: Data
    /// It came as a photo, and goes on as one where the platform has photos.
    public var isPhoto: Bool
    /// The form it came as (``Envelope/Attachment/form``), kept where the destination has it.
    public var form: ContentKind
    /// Its length in seconds, for audio and video.
    public var duration: Int?

    public init(name: String, mimeType: String?, data: Data, isPhoto: Bool = false, form: ContentKind? = nil, duration: Int? = nil) {
        self.name = name
        self.mimeType = mimeType
        self.data = data
        self.isPhoto = isPhoto
        self.form = form ?? (isPhoto ? .photo : .document)
        self.duration = duration
    }
}

/// Commits inbound events (in order, possibly in one transaction) and acknowledges each one committed.
public typealias InboundHandler = @Sendable ([InboundEvent]) async throws -> Void

/// One event from a platform, with the means to confirm it once its crossings are committed.
public struct InboundEvent: Sendable {
    public var envelope: Envelope
    public var acknowledgement: Acknowledgement
    /// A one-use token of the push that carried the event, when the platform's authentication
    /// covers only such a token and not the body (a DingTalk HTTP callback's signed timestamp).
    /// The ledger keeps it with the event's commit, in the same transaction: an event whose nonce
    /// was used before is a replay, refused (``Acknowledgement/refuse(_:)``), never decided.
    public var nonce: String?

    public init(envelope: Envelope, acknowledgement: Acknowledgement, nonce: String? = nil) {
        self.envelope = envelope
        self.acknowledgement = acknowledgement
        self.nonce = nonce
    }
}

/// Confirms an inbound event to its platform (advances the Telegram offset, sends the DingTalk ACK).
/// Call it only after the event's crossings are committed to the ledger.
public struct Acknowledgement: Sendable {
    private let confirm: @Sendable () async throws -> Void
    private let refusal: @Sendable (String) async -> Void

    /// `refused` is told when the event is refused instead (a replayed push), with why.
    public init(_ confirm: @escaping @Sendable () async throws -> Void, refused: @escaping @Sendable (String) async -> Void = { _ in }) {
        self.confirm = confirm
        self.refusal = refused
    }

    public func callAsFunction() async throws {
        try await confirm()
    }

    /// The event was refused and nothing of it was written (its nonce was used before).
    public func refuse(_ reason: String) async {
        await refusal(reason)
    }
}

/// What the dispatcher asks an adapter to put in a channel.
public struct OutboundMessage: Sendable, Hashable {
    public var channel: Channel
    /// The rendered text.
    public var text: String
    /// How the text is meant to be read.
    public var format: Format
    /// A stable key for this delivery, the same on every retry, for platforms that deduplicate
    /// retried sends (DingTalk `msgUuid`).
    public var idempotencyKey: String
    /// The text's formatting (Unicode-scalar offsets into `text`).
    public var spans: [Span]
    /// The native id, at the destination, of the message this one answers.
    public var replyTo: String?
    /// The attachments that go with the text (metadata; on an edit, what the earlier send carried).
    public var attachments: [Envelope.Attachment]
    /// Which goes first when the platform's limits cannot take every send at once (the route's
    /// `priority:`; an operator's announcement is bulk).
    public var priority: DeliveryPriority
    /// Fetches an attachment's bytes when the adapter is about to send it (an edit leaves files
    /// in place and fetches nothing).
    public var files: FileSource
    /// The content in its native form (a location, a poll, a sticker), whose label is in `text`:
    /// a destination that has the form sends it and leaves the label out.
    public var native: NativeContent?
    /// The Telegram Business connection to send through (an answer to a customer who wrote to a
    /// business account connected to the bot).
    public var connection: String?

    /// How a text is meant to be read.
    public enum Format: Sendable, Hashable {
        /// Plain text, shown as written.
        case plain
        /// Markdown (DingTalk's dialect); `title` is what notifications and previews show.
        case markdown(title: String)
    }

    public init(
        channel: Channel,
        text: String,
        format: Format = .plain,
        idempotencyKey: String,
        spans: [Span] = [],
        replyTo: String? = nil,
        attachments: [Envelope.Attachment] = [],
        files: FileSource = .none,
        priority: DeliveryPriority = .interactive,
        native: NativeContent? = nil
    ) {
        self.native = native
        self.priority = priority
        self.channel = channel
        self.text = text
        self.format = format
        self.idempotencyKey = idempotencyKey
        self.spans = spans
        self.replyTo = replyTo
        self.attachments = attachments
        self.files = files
    }

    /// The text and its formatting.
    public var content: RichText { RichText(text: text, spans: spans) }
}

/// The parts of a split send that earlier attempts delivered, and where an adapter reports each
/// part it delivers now: a send that fails at part 3 resumes at part 3, rather than sending parts
/// 1 and 2 to the destination again.
public struct PartProgress: Sendable {
    /// Native ids of the parts delivered so far, in order.
    public let delivered: [String]
    private let report: @Sendable ([String]) async -> Void

    public init(delivered: [String] = [], report: @escaping @Sendable ([String]) async -> Void = { _ in }) {
        self.delivered = delivered
        self.report = report
    }

    /// Reports that the parts with these ids (every part so far, in order) are delivered.
    public func record(_ ids: [String]) async {
        await report(ids)
    }

    /// Nothing delivered before, nothing to report to.
    public static let none = PartProgress()
}

/// Where an adapter gets the bytes of the attachments it sends: fetched from the platform they
/// came from only when a send needs them, one at a time, and not again for a file a retry no
/// longer has to send.
public struct FileSource: Sendable, Hashable {
    private let fetch: @Sendable (Envelope.Attachment) async throws -> AttachedFile
    private let leave: @Sendable (Envelope.Attachment, String) -> Void

    /// `left` hears of each attachment the adapter did not carry (it stands as a line naming it),
    /// and why, for the delivery's record.
    public init(
        _ fetch: @escaping @Sendable (Envelope.Attachment) async throws -> AttachedFile,
        left: @escaping @Sendable (Envelope.Attachment, String) -> Void = { _, _ in }
    ) {
        self.fetch = fetch
        self.leave = left
    }

    /// The bytes of `attachment`; a permanent ``DeliveryError`` when they cannot be had.
    public func callAsFunction(_ attachment: Envelope.Attachment) async throws -> AttachedFile {
        try await fetch(attachment)
    }

    /// Says that `attachment` did not cross as a file (a line names it in its place), and why:
    /// the delivery's record lists it so, and commits to no bytes of it.
    public func left(_ attachment: Envelope.Attachment, because reason: String) {
        leave(attachment, reason)
    }

    /// Files already at hand, by their attachments' references.
    public static func files(_ files: [String: AttachedFile]) -> FileSource {
        FileSource { attachment in
            guard let file = files[attachment.reference] else {
                throw DeliveryError.notFound("attachment '\(attachment.name ?? attachment.reference)' is not at hand")
            }
            return file
        }
    }

    /// No files to be had.
    public static let none = FileSource { attachment in
        throw DeliveryError.rejected("attachment '\(attachment.name ?? "file")' cannot be fetched for this destination")
    }

    // A source is a means, not content: messages compare equal whatever their sources.
    public static func == (lhs: FileSource, rhs: FileSource) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
}
