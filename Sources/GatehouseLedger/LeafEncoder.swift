import Foundation
import GatehouseCore

/// Writes an ``AuditRecord``'s canonical leaf: JSON with keys in sorted order, no insignificant
/// whitespace, UTC timestamps with milliseconds, and strings escaped as JSONEncoder escapes them
/// (quote, backslash and control characters only; `/` and non-ASCII as they are).
///
/// Written by hand because every crossing pays for it inside the write transaction, and
/// JSONEncoder's generic path is several times slower; a test holds the two byte for byte equal.
struct LeafEncoder {
    private(set) var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(512)
    }

    static func encode(_ record: AuditRecord) -> Data {
        var encoder = LeafEncoder()
        encoder.write(record)
        return Data(encoder.bytes)
    }

    /// `"name":"value"` as a leaf spells that member: what a search for it looks for in the
    /// bytes (the key keeps a value from matching another member's).
    static func member(_ name: StaticString, _ value: String) -> Data {
        var encoder = LeafEncoder()
        encoder.empty = true
        encoder.string(name, value)
        return Data(encoder.bytes)
    }

    // The keys of each object, written in sorted order (the order of the statements below).
    private mutating func write(_ record: AuditRecord) {
        open("{")
        string("approver", record.approver)
        integer("attempt", record.attempt.map(Int64.init))
        string("config_revision", record.configRevision)
        if let hmac = record.contentHMAC {
            key("content_hmac")
            open("{")
            string("decided", hmac.decided)
            string("received", hmac.received)
            close("}")
        }
        integer("crossing", record.crossing)
        string("destination", record.destination)
        string("direction", record.direction?.rawValue)
        if let files = record.files {
            key("files")
            open("[")
            for file in files {
                element()
                open("{")
                integer("bytes", Int64(file.bytes))
                string("hmac", file.hmac)
                string("name", file.name)
                close("}")
            }
            close("]")
        }
        if let findings = record.findings {
            key("findings")
            open("[")
            for finding in findings {
                element()
                open("{")
                string("check", finding.check)
                string("detector", finding.detector)
                string("field", finding.field)
                integer("length", Int64(finding.length))
                integer("offset", Int64(finding.offset))
                close("}")
            }
            close("]")
        }
        if let ignored = record.ignored { summary("ignored", ignored) }
        string("kind", record.kind.rawValue)
        strings("native_ids", record.nativeIDs)
        if let origin = record.origin {
            key("origin")
            open("{")
            string("channel", origin.channel)
            string("conversation", origin.conversation)
            string("event_id", origin.eventID)
            string("message_id", origin.messageID)
            string("platform", origin.platform)
            string("sender_id", origin.senderID)
            close("}")
        }
        string("outcome", record.outcome?.rawValue)
        string("platform", record.platform)
        string("reason", record.reason)
        if let refusals = record.refusals { summary("refusals", refusals) }
        if let review = record.review {
            key("review")
            open("{")
            integer("approvals", review.approvals.map(Int64.init))
            string("card", review.card)
            if let deadline = review.deadline {
                key("deadline")
                timestamp(deadline)
            }
            integer("needed", review.needed.map(Int64.init))
            strings("to", review.to)
            close("}")
        }
        if let reviewer = record.reviewer {
            key("reviewer")
            open("{")
            string("department", reviewer.department)
            string("id", reviewer.id)
            string("name", reviewer.name)
            string("platform", reviewer.platform)
            string("via", reviewer.via.rawValue)
            close("}")
        }
        string("route", record.route)
        integer("sequence", record.sequence)
        integer("ticket", record.ticket)
        key("time")
        timestamp(record.time)
        string("verdict", record.verdict?.rawValue)
        close("}")
    }

    /// A summary of counted events (refused pushes, ignored messages).
    private mutating func summary(_ name: StaticString, _ summary: Refusals) {
        key(name)
        open("{")
        key("first")
        timestamp(summary.first)
        key("last")
        timestamp(summary.last)
        integer("other_sources", Int64(summary.otherSources))
        key("reasons")
        open("[")
        for count in summary.reasons {
            element()
            open("{")
            integer("count", Int64(count.count))
            string("reason", count.reason)
            close("}")
        }
        close("]")
        key("sources")
        open("[")
        for source in summary.sources {
            element()
            open("{")
            string("address", source.address)
            integer("count", Int64(source.count))
            close("}")
        }
        close("]")
        close("}")
    }

    /// Whether the innermost open object or array has no member yet.
    private var empty = false

    private mutating func open(_ bracket: Unicode.Scalar) {
        bytes.append(UInt8(ascii: bracket))
        empty = true
    }

    private mutating func close(_ bracket: Unicode.Scalar) {
        bytes.append(UInt8(ascii: bracket))
        // A closed container is a member of its parent, which therefore is not empty.
        empty = false
    }

    private mutating func element() {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
    }

    private mutating func key(_ name: StaticString) {
        element()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    /// Absent (nil) members are left out, as JSONEncoder does.
    private mutating func string(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        quoted(value)
    }

    /// An array of strings; absent when nil.
    private mutating func strings(_ name: StaticString, _ values: [String]?) {
        guard let values else { return }
        key(name)
        open("[")
        for value in values {
            element()
            quoted(value)
        }
        close("]")
    }

    private mutating func integer(_ name: StaticString, _ value: Int64?) {
        guard let value else { return }
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func quoted(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0xF)],
                ])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC, the way `Date.ISO8601FormatStyle` with fractional
    /// seconds writes it.
    private mutating func timestamp(_ date: Date) {
        bytes.append(UInt8(ascii: "\""))
        UTCTime(date, truncation: .fractionOfSecond).write(to: &bytes, dateTimeSeparator: UInt8(ascii: "T"))
        bytes.append(contentsOf: [UInt8(ascii: "Z"), UInt8(ascii: "\"")])
    }
}
