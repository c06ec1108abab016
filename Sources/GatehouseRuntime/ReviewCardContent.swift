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

    /// `sender` is who sent it as the directory knows them, when it does.
    init(job: OutboxJob, crossing: AuditRecord?, sender: Envelope.Sender? = nil, links: [String], status: [String: String]) {
        let origin = crossing?.origin
        let id = origin?.senderID ?? "?"
        let who = sender.map { "\($0.name) (" + ([id] + [$0.department].compactMap { $0 }).joined(separator: ", ") + ")" } ?? id
        // The lists shrink until the summary fits in one variable, never its counts: a reviewer
        // is always told how many findings, links and files there are.
        let findings = crossing?.findings ?? []
        let attachments = job.payload.attachments
        var summary = ""
        for limit in [Self.listLimit, 4, 2, 1, 0] {
            var lines = [
                "**Route** \(Self.markdownEscaped(job.route))\(crossing?.direction.map { " (\($0.rawValue))" } ?? "")",
                "**From** \(Self.markdownEscaped(who)) in \(Self.markdownEscaped(origin?.channel ?? job.originPlatform))",
                "**To** \(Self.markdownEscaped(job.destination))",
            ]
            if !findings.isEmpty {
                let listed = findings.prefix(limit).map { finding in
                    let place = finding.field.map { "in \($0)" } ?? "at \(finding.offset)–\(finding.offset + finding.length)"
                    return "\(Self.markdownEscaped(finding.check)): \(Self.markdownEscaped(finding.detector)) \(place)"
                }
                lines.append("**Findings** \(findings.count): " + listed.joined(separator: "; ") + Self.more(findings.count, limit))
            }
            if !links.isEmpty {
                lines.append(
                    "**Links** \(links.count): " + links.prefix(limit).map(Self.markdownEscaped).joined(separator: ", ")
                        + Self.more(links.count, limit)
                )
            }
            if !attachments.isEmpty {
                let listed = attachments.prefix(limit).map { attachment in
                    let size = attachment.bytes.map { " (\(ByteCountFormatter.string(fromByteCount: Int64($0), countStyle: .file)))" } ?? ""
                    return Self.markdownEscaped(attachment.name ?? attachment.kind?.rawValue ?? "a file") + size
                }
                lines.append("**Attachments** \(attachments.count): " + listed.joined(separator: ", ") + Self.more(attachments.count, limit))
            }
            summary = lines.joined(separator: "\n\n")
            if summary.utf8.count <= ReviewCard.valueLimit { break }
        }
        let text = job.text
        longText = text.utf8.count > ReviewCard.valueLimit
        fields = status.merging(
            [
                ReviewCard.Field.title: Self.fitted("Hold #\(job.id) · \(job.route) → \(job.destination)"),
                ReviewCard.Field.summary: Self.fitted(summary),
                ReviewCard.Field.text: longText
                    ? Self.fitted(text, leaving: 120)
                        + "\n… (\(text.count) characters in all: the whole text is in the message just before this card)"
                    : text,
                ReviewCard.Field.hold: String(job.id),
            ]
        ) { current, _ in current }
    }

    private static func more(_ count: Int, _ listed: Int) -> String {
        guard count > listed else { return "" }
        return listed == 0 ? "(listed by gatehouse holds show)" : " and \(count - listed) more"
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

    /// Text from outside made inert in a markdown variable (escaped as the DingTalk adapter
    /// escapes text): no link, image, emphasis, code or tag it could forge, and one line, so it
    /// starts no heading or quote.
    static func markdownEscaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "~", "<", "&":
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
