import GatehouseCore

/// Telegram `MessageEntity` (UTF-16 offsets) ↔ the neutral spans (Unicode-scalar offsets).
///
/// Entities Telegram derives from the text itself (`url`, `mention`, `hashtag`, `bot_command`, …)
/// are not carried: the receiving client derives them again. `text_mention` names a Telegram user
/// by id and `custom_emoji` a sticker set, neither of which means anything elsewhere.
enum EntityMapping {
    /// The spans of `entities` over `text`.
    static func spans(from entities: [MessageEntity]?, in text: String) -> [Span] {
        guard let entities, !entities.isEmpty else { return [] }
        let scalarAt = scalarOffsets(byUTF16In: text)
        return entities.compactMap { entity in
            // Offsets are anyone's numbers: compared without a sum that could overflow.
            guard let style = style(of: entity), entity.length > 0, entity.offset >= 0,
                entity.offset < scalarAt.count, entity.length < scalarAt.count - entity.offset,
                let start = scalarAt[entity.offset], let end = scalarAt[entity.offset + entity.length], end > start
            else { return nil }
            return Span(offset: start, length: end - start, style: style)
        }
        .sorted { $0.offset < $1.offset }
    }

    /// The entities that draw `spans` over `text`.
    static func entities(from spans: [Span], in text: String) -> [MessageEntity]? {
        guard !spans.isEmpty else { return nil }
        // UTF-16 offset of every scalar offset, and of the end.
        var utf16At: [Int] = [0]
        utf16At.reserveCapacity(text.unicodeScalars.count + 1)
        for scalar in text.unicodeScalars { utf16At.append(utf16At[utf16At.count - 1] + scalar.utf16.count) }
        let entities = spans.compactMap { span -> MessageEntity? in
            guard span.offset >= 0, span.length > 0, span.end < utf16At.count else { return nil }
            let offset = utf16At[span.offset]
            let length = utf16At[span.end] - offset
            switch span.style {
            case .bold: return MessageEntity(type: "bold", offset: offset, length: length)
            case .italic: return MessageEntity(type: "italic", offset: offset, length: length)
            case .underline: return MessageEntity(type: "underline", offset: offset, length: length)
            case .strikethrough: return MessageEntity(type: "strikethrough", offset: offset, length: length)
            case .spoiler: return MessageEntity(type: "spoiler", offset: offset, length: length)
            case .code: return MessageEntity(type: "code", offset: offset, length: length)
            case .pre(let language): return MessageEntity(type: "pre", offset: offset, length: length, language: language)
            case .quote: return MessageEntity(type: "blockquote", offset: offset, length: length)
            case .link(let url):
                // Telegram refuses a message whose text_link is not a URL it accepts; such a
                // link (a relative one from markdown) goes as its text alone.
                guard isLinkable(url) else { return nil }
                return MessageEntity(type: "text_link", offset: offset, length: length, url: url)
            }
        }
        return entities.isEmpty ? nil : entities
    }

    private static func style(of entity: MessageEntity) -> Span.Style? {
        switch entity.type {
        case "bold": .bold
        case "italic": .italic
        case "underline": .underline
        case "strikethrough": .strikethrough
        case "spoiler": .spoiler
        case "code": .code
        case "pre": .pre(language: entity.language)
        case "blockquote", "expandable_blockquote": .quote
        case "text_link": entity.url.map(Span.Style.link)
        default: nil
        }
    }

    private static func isLinkable(_ url: String) -> Bool {
        let lowered = url.lowercased()
        return ["http://", "https://", "tg://", "mailto:"].contains { lowered.hasPrefix($0) }
    }

    /// For each UTF-16 offset of `text` (and its end), the scalar offset there; nil inside a
    /// surrogate pair, where no entity may start or end.
    private static func scalarOffsets(byUTF16In text: String) -> [Int?] {
        var offsets: [Int?] = []
        offsets.reserveCapacity(text.utf16.count + 1)
        var scalar = 0
        for unit in text.unicodeScalars {
            offsets.append(scalar)
            if unit.utf16.count == 2 { offsets.append(nil) }
            scalar += 1
        }
        offsets.append(scalar)
        return offsets
    }
}
