import Foundation
import GatehouseCore
import GatehouseLedger

/// What a review card shows of a held job: its route, sender, destination, findings (never the
/// matched text), link targets and attachments, and the exact text it would send, each within
/// DingTalk's limit for a card variable.
struct ReviewCardContent {
    var fields: [String: String]
    /// The text does not fit in the card: it is sent whole just before it.
    var longText: Bool

    /// The most findings, links and attachments the summary lists one by one.
    static let listLimit = 8

    init(job: OutboxJob, crossing: AuditRecord?, links: [String], status: [String: String]) {
        let origin = crossing?.origin
        var lines = [
            "**Route** \(Self.markdownEscaped(job.route))\(crossing?.direction.map { " (\($0.rawValue))" } ?? "")",
            "**From** \(Self.markdownEscaped(origin?.senderID ?? "?")) in \(Self.markdownEscaped(origin?.channel ?? job.originPlatform))",
            "**To** \(Self.markdownEscaped(job.destination))",
        ]
        let findings = crossing?.findings ?? []
        if !findings.isEmpty {
            let listed = findings.prefix(Self.listLimit).map { finding in
                let place = finding.field.map { "in \($0)" } ?? "at \(finding.offset)–\(finding.offset + finding.length)"
                return "\(Self.markdownEscaped(finding.check)): \(Self.markdownEscaped(finding.detector)) \(place)"
            }
            lines.append("**Findings** " + listed.joined(separator: "; ") + Self.more(findings.count))
        }
        if !links.isEmpty {
            lines.append("**Links** " + links.prefix(Self.listLimit).map(Self.markdownEscaped).joined(separator: ", ") + Self.more(links.count))
        }
        let attachments = job.payload.attachments
        if !attachments.isEmpty {
            let listed = attachments.prefix(Self.listLimit).map { attachment in
                let size = attachment.bytes.map { " (\(ByteCountFormatter.string(fromByteCount: Int64($0), countStyle: .file)))" } ?? ""
                return Self.markdownEscaped(attachment.name ?? attachment.kind?.rawValue ?? "a file") + size
            }
            lines.append("**Attachments** " + listed.joined(separator: ", ") + Self.more(attachments.count))
        }
        let text = job.text
        longText = text.utf8.count > ReviewCard.valueLimit
        fields = status.merging(
            [
                ReviewCard.Field.title: Self.fitted("Hold #\(job.id) · \(job.route) → \(job.destination)"),
                ReviewCard.Field.summary: Self.fitted(lines.joined(separator: "\n\n")),
                ReviewCard.Field.text: longText
                    ? Self.fitted(text, leaving: 120)
                        + "\n… (\(text.count) characters in all: the whole text is in the message just before this card)"
                    : text,
                ReviewCard.Field.hold: String(job.id),
            ]
        ) { current, _ in current }
    }

    private static func more(_ count: Int) -> String {
        count > listLimit ? " and \(count - listLimit) more" : ""
    }

    /// `text` cut (at a character boundary) to fit in a card variable with `leaving` bytes to spare.
    static func fitted(_ text: String, leaving spare: Int = 0) -> String {
        let limit = ReviewCard.valueLimit - spare
        guard text.utf8.count > limit else { return text }
        var result = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            guard used + size <= limit - 3 else { break }
            result.append(character)
            used += size
        }
        return result + "…"
    }

    /// Text from outside made inert in a markdown variable: no link, emphasis or heading it
    /// could forge, one line.
    static func markdownEscaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "(", ")", "#", "<", ">", "|", "~", "!":
                result.append("\\")
                result.append(character)
            case "\n", "\r", "\u{2028}", "\u{2029}":
                result.append(" ")
            default:
                result.append(character)
            }
        }
        return result
    }
}

extension Reviews {
    static func markdownEscaped(_ text: String) -> String {
        ReviewCardContent.markdownEscaped(text)
    }
}
