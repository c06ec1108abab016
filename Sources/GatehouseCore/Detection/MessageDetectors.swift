import Foundation

/// Attachments whose type or size is not allowed: `attachments: { max_bytes: 10MB, types: [pdf, png] }`;
/// `attachments: { types: [] }` allows no type, so every attachment fires.
public struct AttachmentDetector: MessageDetector {
    /// The detector name of its findings.
    public static let name = "attachment"
    public var name: String { Self.name }
    /// Allowed types: file extensions (`pdf`) and MIME types (`application/pdf`, `image/*`), lowercase.
    /// nil = any type; empty = none.
    public var types: Set<String>?
    /// The largest allowed attachment; nil = any size.
    public var maxBytes: Int?

    public init(types: Set<String>?, maxBytes: Int?) {
        self.types = types.map { Set($0.map { $0.lowercased() }) }
        self.maxBytes = maxBytes
    }

    public func violated(by envelope: Envelope) -> Bool {
        envelope.attachments.contains { !allows($0) }
    }

    /// An attachment is allowed when its size is known and within the limit (an unknown size
    /// under a limit is not allowed: fail closed), and its extension or declared MIME type is listed.
    public func allows(_ attachment: Envelope.Attachment) -> Bool {
        if let maxBytes {
            guard let bytes = attachment.bytes, bytes <= maxBytes else { return false }
        }
        guard let types else { return true }
        if let name = attachment.name, let dot = name.lastIndex(of: "."),
            types.contains(name[name.index(after: dot)...].lowercased())
        {
            return true
        }
        if let mime = attachment.mimeType?.lowercased() {
            if types.contains(mime) { return true }
            if let slash = mime.firstIndex(of: "/"), types.contains(mime[..<slash] + "/*") { return true }
        }
        return false
    }
}

/// Messages longer than a limit: `size: { max_bytes: 4KB, max_chars: 2000 }`.
public struct SizeDetector: MessageDetector {
    public let name = "size"
    public var maxBytes: Int?
    /// In Unicode scalars.
    public var maxCharacters: Int?

    public init(maxBytes: Int?, maxCharacters: Int?) {
        self.maxBytes = maxBytes
        self.maxCharacters = maxCharacters
    }

    public func violated(by envelope: Envelope) -> Bool {
        let text = envelope.body.text
        if let maxBytes, text.utf8.count > maxBytes { return true }
        if let maxCharacters, text.unicodeScalars.count > maxCharacters { return true }
        return false
    }
}

/// Messages posted outside a weekly window in a time zone:
/// `outside: { days: mon-fri, hours: "09:00-18:00", tz: Asia/Shanghai }` fires on Saturday, or at 20:00.
public struct TimeWindowDetector: MessageDetector {
    public let name = "outside"
    /// Allowed weekdays, 1 = Monday … 7 = Sunday (ISO 8601).
    public var days: Set<Int>
    /// Allowed minutes after midnight, start inclusive, end exclusive; a window past midnight
    /// (`22:00-06:00`) wraps.
    public var start: Int
    public var end: Int
    public var timeZone: TimeZone

    public init(days: Set<Int>, start: Int, end: Int, timeZone: TimeZone) {
        self.days = days
        self.start = start
        self.end = end
        self.timeZone = timeZone
    }

    public func violated(by envelope: Envelope) -> Bool {
        !inside(envelope.time)
    }

    public func inside(_ time: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: time)
        // Calendar's weekday is 1 = Sunday; ISO's is 1 = Monday.
        let weekday = ((parts.weekday ?? 1) + 5) % 7 + 1
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        if start <= end {
            return days.contains(weekday) && minute >= start && minute < end
        }
        // Past midnight: the early part belongs to the window that opened the day before.
        if minute >= start { return days.contains(weekday) }
        if minute < end { return days.contains(weekday == 1 ? 7 : weekday - 1) }
        return false
    }
}

/// Senders not on an allow list, or on a deny list: `senders: { allow: [u1, u2], deny: [u3] }`.
public struct SenderDetector: MessageDetector {
    public let name = "sender"
    /// Empty = everyone not denied.
    public var allow: Set<String>
    public var deny: Set<String>
    /// By department (as the directory names it). A sender is allowed when no allow list is
    /// given, or when `allow` names them or they are in one of `allowDepartments`; denied when
    /// `deny` names them or they are in one of `denyDepartments`. A sender whose departments are
    /// not known is in none.
    public var allowDepartments: Set<String>
    public var denyDepartments: Set<String>

    public init(allow: Set<String>, deny: Set<String>, allowDepartments: Set<String> = [], denyDepartments: Set<String> = []) {
        self.allow = allow
        self.deny = deny
        self.allowDepartments = allowDepartments
        self.denyDepartments = denyDepartments
    }

    public func violated(by envelope: Envelope) -> Bool {
        let sender = envelope.sender.id
        let departments = Set(envelope.sender.departments ?? [])
        let denied = deny.contains(sender) || !departments.isDisjoint(with: denyDepartments)
        let allowed =
            (allow.isEmpty && allowDepartments.isEmpty) || allow.contains(sender) || !departments.isDisjoint(with: allowDepartments)
        return denied || !allowed
    }
}

/// Envelopes that carry any of these labels, as adapters attach them (`announcement`,
/// `confidential` for a DingTalk announcement marked 保密, `direct` for a one-to-one chat):
/// `labels: [confidential]`.
public struct LabelDetector: MessageDetector {
    public let name = "label"
    public var labels: Set<String>

    public init(labels: Set<String>) {
        self.labels = labels
    }

    public func violated(by envelope: Envelope) -> Bool {
        !labels.isDisjoint(with: envelope.labels)
    }
}

/// Finds a message of one of `kinds` (`kinds: [sticker, poll, location, contact]`), so that a
/// route can block, hold or allow by what a message is. Plain text is `text`.
public struct KindDetector: MessageDetector {
    public let kinds: Set<ContentKind>
    public var name: String { "kind" }

    public init(kinds: Set<ContentKind>) {
        self.kinds = kinds
    }

    public func violated(by envelope: Envelope) -> Bool {
        kinds.contains(envelope.contentKind ?? .text)
    }
}
