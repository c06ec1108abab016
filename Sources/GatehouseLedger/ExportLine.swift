import Foundation

/// The exported forms of audit records, one line each, shared by `gatehouse audit export` and the
/// console's export: JSON Lines with each leaf exactly as stored and hashed (an auditor can
/// recompute its hash), or CSV safe to open in a spreadsheet.
public enum ExportLine {
    public enum Format: String, Sendable, CaseIterable {
        case jsonl, csv
    }

    public static let csvColumns = [
        "sequence", "time", "kind", "route", "direction", "origin_platform", "origin_channel", "origin_message",
        "sender_id", "destination", "verdict", "findings", "config_revision", "crossing", "outcome", "native_ids",
        "attempt", "reason", "content_hmac_received", "content_hmac_decided", "approver", "platform",
    ]

    /// The CSV header line (without its line break).
    public static func csvHeader(withContent: Bool) -> String {
        (csvColumns + (withContent ? ["received", "decided", "received_payload", "decided_payload"] : [])).joined(separator: ",")
    }

    /// One record's line (without its line break).
    public static func line(_ stored: StoredRecord, format: Format, withContent: Bool) -> String {
        let record = stored.record
        switch format {
        case .jsonl:
            // The leaf exactly as stored and hashed, so that an auditor can recompute its hash.
            let leaf = String(decoding: stored.leaf, as: UTF8.self)
            guard withContent else { return leaf }
            var line = #"{"record":\#(leaf),"received":\#(quoted(stored.received)),"decided":\#(quoted(stored.decided))"#
            // Present only where a body carried more than text; quoted as the exact stored bytes,
            // which the commitment covers.
            if let payload = stored.receivedPayload { line += #","received_payload":\#(quoted(payload))"# }
            if let payload = stored.decidedPayload { line += #","decided_payload":\#(quoted(payload))"# }
            return line + "}"
        case .csv:
            var fields: [String?] = [
                String(record.sequence), record.time.formatted(.iso8601), record.kind.rawValue, record.route,
                record.direction?.rawValue, record.origin?.platform, record.origin?.channel, record.origin?.messageID,
                record.origin?.senderID, record.destination, record.verdict?.rawValue,
                record.findings.map { $0.map { "\($0.check)/\($0.detector)@\($0.offset)+\($0.length)" }.joined(separator: " ") },
                record.configRevision, record.crossing.map(String.init), record.outcome?.rawValue,
                record.nativeIDs?.joined(separator: " "), record.attempt.map(String.init), record.reason,
                record.contentHMAC?.received, record.contentHMAC?.decided, record.approver, record.platform,
            ]
            if withContent { fields += [stored.received, stored.decided, stored.receivedPayload, stored.decidedPayload] }
            return fields.map(csvField).joined(separator: ",")
        }
    }

    /// RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled. A cell a
    /// spreadsheet would read as a formula (`=HYPERLINK(…)`, `+`, `-`, `@`, or a tab or carriage
    /// return before one) gets a leading `'`, as OWASP advises: an export of what outsiders wrote
    /// must not run in the auditor's spreadsheet.
    public static func csvField(_ value: String?) -> String {
        guard var value else { return "" }
        if let first = value.unicodeScalars.first,
            "=+-@\t\r".unicodeScalars.contains(first)
                || "＝＋－＠".unicodeScalars.contains(first)
        {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A JSON string literal (RFC 8259 escaping; non-ASCII stays as UTF-8); `null` for nil.
    public static func quoted(_ text: String?) -> String {
        guard let text else { return "null" }
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}
