import Foundation
import GatehouseCore

/// One audit log entry: the metadata of an event, never the content.
///
/// Its canonical JSON (``leaf``) is what the log stores and what the Merkle tree will hash, so the
/// field names and encoding are part of the on-disk format: add fields, never rename them.
public struct AuditRecord: Sendable, Hashable, Codable {
    /// What kind of event a record is.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A crossing was decided (whatever the verdict).
        case crossing
        /// A delivery attempt ended: delivered, deferred for retry, or dead-lettered.
        case delivery
        /// The daemon started deciding with a config (its revision in `configRevision`).
        case configLoaded = "config_loaded"
        /// A crossing's content (its bodies as received and as decided) was erased by retention;
        /// `crossing` names the record, whose commitments still stand.
        case contentErased = "content_erased"
        /// An approver released a held crossing's delivery (`approver`, `reason`, `crossing`).
        case holdApproved = "hold_approved"
        /// An approver rejected a held crossing: it is never delivered (`approver`, `reason`, `crossing`).
        case holdRejected = "hold_rejected"
        /// A request to `/hooks/<platform>` was refused (a forged, stale or malformed push):
        /// `platform` and `reason` (the status and why). Nothing of it crossed. Written one per
        /// refusal by earlier versions; now they are summed up in `pushes_refused`.
        case pushRejected = "push_rejected"
        /// The pushes to `/hooks/<platform>` refused in an interval, summed up: `platform` and
        /// `refusals` (counts by reason, first and last time, the busiest sources). Nothing of
        /// them crossed.
        case pushesRefused = "pushes_refused"
        /// An operator sent a dead-lettered delivery back to its queue for another round of
        /// attempts (`approver`, `reason`, `crossing`).
        case deadRetried = "dead_retried"
        /// An operator closed a dead-lettered delivery for good: it is never tried again
        /// (`approver`, `reason`, `crossing`).
        case deadDiscarded = "dead_discarded"
        /// An operator took back a message's copy at one destination (`gatehouse withdraw`):
        /// `crossing` names the crossing record it was asked by, `native_ids` the copy, `approver`
        /// and `reason` who and why. A delete job follows; its delivery record says how it went.
        case withdrawn
        /// The platform reported that a copy Gatehouse sent was recalled there (DingTalk's
        /// `robot_msg_recall`): `platform`, `destination`'s conversation in `origin`, the copy's
        /// id in `native_ids`, who recalled it in `approver`.
        case copyRecalled = "copy_recalled"
        /// The messages of a platform intake took in an interval and decided nothing for, summed
        /// up in `ignored` (counts by reason: `service:<what>` for a service message such as a
        /// join or a pin in a routed chat, `unrouted` for a chat no channel names; the busiest
        /// chats). Nothing of them crossed.
        case ignored
        /// A held crossing's review began: a card (`review.card`) went to its reviewers
        /// (`review.to`), who must approve it `review.needed` times before `review.deadline`.
        case reviewOpened = "review_opened"
        /// A reviewer approved a hold that needs more approvals (`reviewer`, `reason`,
        /// `review.approvals` of `review.needed`); it stays held.
        case holdVote = "hold_vote"
        /// Someone tried to decide a hold and was refused (`reviewer`, `reason`: not a reviewer
        /// of the route, the message's own sender, already decided); nothing changed.
        case decisionRefused = "decision_refused"
        /// A hold waited past its route's `hold_timeout` and was rejected: never delivered.
        case holdExpired = "hold_expired"
        /// A hold waited past its route's `hold_timeout` and went to the second list of reviewers
        /// (`review.to`, a new `review.deadline`).
        case holdEscalated = "hold_escalated"
        /// A hold's deadline is near: its card was marked with a reminder.
        case holdReminded = "hold_reminded"
        /// Someone used the web console in a way the log keeps (`reason` says how: signed in,
        /// refused sign-in, signed out, exported records); `reviewer` is who, as the sign-in
        /// named them (absent for a sign-in refused before anyone was named).
        case consoleAccess = "console_access"
        /// A reload was refused and the config in force kept serving (`configRevision`):
        /// `reason` holds the problems (the first ``AuditRecord/refusedProblemLimit``), `approver`
        /// who asked, when known.
        case configRefused = "config_refused"
    }

    /// The most problems a `config_refused` record lists (the rest are counted).
    public static let refusedProblemLimit = 20

    /// A hold's review, as a record about it states it.
    public struct Review: Sendable, Hashable, Codable {
        /// The card's id (DingTalk's `outTrackId`).
        public var card: String?
        /// Whom the card went to (`staff:ID`, `group:CONVERSATION`).
        public var to: [String]?
        /// How many approvals it needs, and how many it has.
        public var needed: Int?
        public var approvals: Int?
        /// When it times out.
        public var deadline: Date?

        public init(card: String? = nil, to: [String]? = nil, needed: Int? = nil, approvals: Int? = nil, deadline: Date? = nil) {
            self.card = card
            self.to = to
            self.needed = needed
            self.approvals = approvals
            self.deadline = deadline
        }
    }

    /// How a delivery attempt ended.
    public enum Outcome: String, Sendable, Hashable, Codable {
        case delivered, deferred, dead
        /// Never attempted again because its destination left the config.
        case cancelled
    }

    /// Where the event came from.
    public struct Origin: Sendable, Hashable, Codable {
        public var platform: String
        /// The source channel's config name.
        public var channel: String
        public var conversation: String
        public var messageID: String
        public var eventID: String
        public var senderID: String

        enum CodingKeys: String, CodingKey {
            case platform, channel, conversation
            case messageID = "message_id"
            case eventID = "event_id"
            case senderID = "sender_id"
        }

        public init(platform: String, channel: String, conversation: String, messageID: String, eventID: String, senderID: String) {
            self.platform = platform
            self.channel = channel
            self.conversation = conversation
            self.messageID = messageID
            self.eventID = eventID
            self.senderID = senderID
        }
    }

    /// Keyed commitments (``ContentKey``) to a crossing's bodies, in place of the bodies.
    public struct ContentHMAC: Sendable, Hashable, Codable {
        /// To the body as received from the source.
        public var received: String
        /// To the text decided for the destination (what is sent, when the verdict delivers).
        public var decided: String

        public init(received: String, decided: String) {
            self.received = received
            self.decided = decided
        }
    }

    /// A keyed commitment to the bytes of a file a delivery carried: HMAC-SHA256 under the
    /// ``ContentKey`` of the file's SHA-256 (see ``ContentKey/commitment(toFileDigest:)``), so
    /// that whoever holds the file and the key can show it is what crossed, and nobody without the
    /// key can test a guess against the log.
    public struct FileCommitment: Sendable, Hashable, Codable {
        public var name: String
        /// Its size in bytes.
        public var bytes: Int
        public var hmac: String

        public init(name: String, bytes: Int, hmac: String) {
            self.name = name
            self.bytes = bytes
            self.hmac = hmac
        }
    }

    /// Position in the log, from 1, without gaps.
    public var sequence: Int64
    public var time: Date
    public var kind: Kind
    public var route: String?
    public var direction: Direction?
    public var origin: Origin?
    public var destination: String?
    public var verdict: Verdict?
    public var findings: [Finding]?
    /// The config revision that decided it.
    public var configRevision: String?
    /// For a delivery record: the sequence of the crossing record it concludes.
    public var crossing: Int64?
    public var outcome: Outcome?
    /// The destination's native message ids (every part of a split message), when delivered.
    public var nativeIDs: [String]?
    /// Which attempt this was, from 1.
    public var attempt: Int?
    /// Why a delivery was deferred or dead-lettered, or content erased (no secrets: adapters keep them out).
    public var reason: String?
    /// For a crossing record: the commitments to its content.
    public var contentHMAC: ContentHMAC?
    /// For a hold decision: who decided (as the admin surface authenticated them).
    public var approver: String?
    /// For a refused push: the platform whose hook it was sent to.
    public var platform: String?
    /// For a summary of refused pushes: what was refused, when, from where.
    public var refusals: Refusals?
    /// For a delivery record: commitments to the bytes of the files it carried.
    public var files: [FileCommitment]?
    /// For a summary of ignored messages: why, how many, when, from which chats (the shape of
    /// ``refusals``, the sources being conversations).
    public var ignored: Refusals?
    /// For a crossing of the support desk: the ticket it is part of.
    public var ticket: Int64?
    /// For a decision on a hold (or a refused attempt): who, as the platform or the system knows them.
    public var reviewer: ReviewerIdentity?
    /// For a record about a hold's review: its card, reviewers, approvals and deadline.
    public var review: Review?

    // Spelled out rather than derived by a key strategy: these names are the on-disk format.
    enum CodingKeys: String, CodingKey {
        case sequence, time, kind, route, direction, origin, destination, verdict, findings
        case configRevision = "config_revision"
        case crossing, outcome
        case nativeIDs = "native_ids"
        case attempt, reason
        case contentHMAC = "content_hmac"
        case approver, platform, refusals, files, ignored, ticket, reviewer, review
    }

    public init(
        sequence: Int64,
        time: Date,
        kind: Kind,
        route: String? = nil,
        direction: Direction? = nil,
        origin: Origin? = nil,
        destination: String? = nil,
        verdict: Verdict? = nil,
        findings: [Finding]? = nil,
        configRevision: String? = nil,
        crossing: Int64? = nil,
        outcome: Outcome? = nil,
        nativeIDs: [String]? = nil,
        attempt: Int? = nil,
        reason: String? = nil,
        contentHMAC: ContentHMAC? = nil,
        approver: String? = nil,
        platform: String? = nil,
        refusals: Refusals? = nil,
        files: [FileCommitment]? = nil,
        ignored: Refusals? = nil,
        ticket: Int64? = nil,
        reviewer: ReviewerIdentity? = nil,
        review: Review? = nil
    ) {
        self.reviewer = reviewer
        self.review = review
        self.ticket = ticket
        self.files = files
        self.ignored = ignored
        self.platform = platform
        self.refusals = refusals
        self.sequence = sequence
        self.time = time
        self.kind = kind
        self.route = route
        self.direction = direction
        self.origin = origin
        self.destination = destination
        self.verdict = verdict
        self.findings = findings
        self.configRevision = configRevision
        self.crossing = crossing
        self.outcome = outcome
        self.nativeIDs = nativeIDs
        self.attempt = attempt
        self.reason = reason
        self.contentHMAC = contentHMAC
        self.approver = approver
    }

    /// The canonical bytes: JSON with sorted snake_case keys (spelled out in `CodingKeys`), UTC millisecond timestamps, no
    /// insignificant whitespace.
    public func leaf() throws -> Data {
        LeafEncoder.encode(self)
    }

    /// The same bytes through JSONEncoder: the format's reference definition, which the fast
    /// ``LeafEncoder`` is tested against.
    func referenceLeaf() throws -> Data {
        try Self.encoder.encode(self)
    }

    /// The `sequence` a leaf states, read straight from its canonical JSON bytes (verification of a
    /// large log must not decode every record); nil when the leaf has none.
    public static func sequence(inLeaf leaf: Data) -> Int64? {
        leaf.withUnsafeBytes { sequence(inLeaf: $0) }
    }

    /// The `sequence` a leaf states, from bytes borrowed in place (a row SQLite is stepping over).
    ///
    /// The key is searched from the end: keys are sorted, so only `ticket`, `time` and `verdict` follow it.
    /// The pattern `"sequence":` cannot occur inside a string value, where a quote is always
    /// escaped (`\"sequence\":`), so the match found is the key's.
    public static func sequence(inLeaf bytes: UnsafeRawBufferPointer) -> Int64? {
        let key = sequenceKey
        guard bytes.count > key.count else { return nil }
        var start = bytes.count - key.count
        while start >= 0 {
            // `"sequence":` is 11 bytes: compare its first 8 as one word, then the rest.
            if bytes[start] == UInt8(ascii: "\""), bytes.loadUnaligned(fromByteOffset: start, as: UInt64.self) == sequenceKeyHead,
                bytes[start + 8] == key[8], bytes[start + 9] == key[9], bytes[start + 10] == key[10]
            {
                var value: Int64 = 0
                var index = start + key.count
                var digits = 0
                while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39, digits < 18 {
                    value = value * 10 + Int64(bytes[index] - 0x30)
                    index += 1
                    digits += 1
                }
                return digits > 0 ? value : nil
            }
            start -= 1
        }
        return nil
    }

    private static let sequenceKey = Array(#""sequence":"#.utf8)
    private static let sequenceKeyHead = sequenceKey.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }

    /// Decodes a stored leaf.
    public static func decode(leaf: Data) throws -> AuditRecord {
        try decoder.decode(AuditRecord.self, from: leaf)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Self.timestampStyle))
        }
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = try? Date(text, strategy: Self.timestampStyle) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad timestamp \(text)"))
            }
            return date
        }
        return decoder
    }()

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
}
