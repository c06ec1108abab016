import Foundation

/// Message text as the Bot API stores it: plain text plus entities (UTF-16 offsets), obtained
/// from `parse_mode` markup or from explicit `entities`, with the Bot API's validation.
struct TelegramText: Sendable, Equatable {
    typealias Entity = TelegramEmulator.MessageEntity

    var text: String
    var entities: [Entity]

    /// The message text limit, in characters (Unicode code points) after entity parsing.
    static let maximumLength = 4096

    /// Entity types the Bot API documents for `MessageEntity.type`.
    static let entityTypes: Set<String> = [
        "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold", "italic",
        "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote", "code", "pre",
        "text_link", "text_mention", "custom_emoji", "date_time",
    ]

    /// Parses a message text the way sendMessage / editMessageText do. When `entities` are given,
    /// `parse_mode` is ignored (as the Bot API does).
    static func parse(_ text: String, parseMode: String?, entities: [Entity]?) throws -> TelegramText {
        if let entities {
            try validate(entities, in: text)
            return TelegramText(text: text, entities: sorted(entities))
        }
        guard let parseMode, !parseMode.isEmpty else {
            return TelegramText(text: text, entities: [])
        }
        var parser = TelegramMarkupParser(text)
        switch parseMode.lowercased() {
        case "html": return try parser.parseHTML()
        case "markdownv2": return try parser.parseMarkdownV2()
        case "markdown": return try parser.parseMarkdown()
        default: throw TelegramAPIError.badRequest("unsupported parse_mode")
        }
    }

    /// Checks a message text's length: 1–4096 characters, not only whitespace.
    func checkMessageLength() throws {
        if text.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
            throw TelegramAPIError.badRequest("message text is empty")
        }
        if text.unicodeScalars.count > Self.maximumLength {
            throw TelegramAPIError.badRequest("message is too long")
        }
    }

    /// Validates explicit entities against the text, in UTF-16 code units: inside the text, not
    /// splitting a surrogate pair, with the fields their type requires.
    static func validate(_ entities: [Entity], in text: String) throws {
        let units = Array(text.utf16)
        for (index, entity) in entities.enumerated() {
            let label = "entity \(index) (\(entity.type))"
            guard entityTypes.contains(entity.type) else {
                throw TelegramAPIError.badRequest("can't parse entities: \(label) has an unsupported type")
            }
            guard entity.offset >= 0, entity.length > 0 else {
                throw TelegramAPIError.badRequest(
                    "can't parse entities: \(label) has offset \(entity.offset) and length \(entity.length)"
                )
            }
            // A client's numbers: summed overflow-safe (an offset near Int.max is only out of range).
            let (end, overflow) = entity.offset.addingReportingOverflow(entity.length)
            guard !overflow, end <= units.count else {
                throw TelegramAPIError.badRequest(
                    "can't parse entities: \(label) ends beyond the text's \(units.count) UTF-16 code units"
                )
            }
            for boundary in [entity.offset, end] where boundary > 0 && boundary < units.count {
                if UTF16.isTrailSurrogate(units[boundary]) && UTF16.isLeadSurrogate(units[boundary - 1]) {
                    throw TelegramAPIError.badRequest(
                        "can't parse entities: \(label) boundary \(boundary) splits a surrogate pair"
                    )
                }
            }
            switch entity.type {
            case "text_link":
                guard let url = entity.url, !url.isEmpty else {
                    throw TelegramAPIError.badRequest("can't parse entities: \(label) needs a url")
                }
            case "text_mention":
                guard entity.user != nil else {
                    throw TelegramAPIError.badRequest("can't parse entities: \(label) needs a user")
                }
            case "custom_emoji":
                guard let id = entity.customEmojiID, !id.isEmpty else {
                    throw TelegramAPIError.badRequest("can't parse entities: \(label) needs a custom_emoji_id")
                }
            case "date_time":
                guard entity.unixTime != nil else {
                    throw TelegramAPIError.badRequest("can't parse entities: \(label) needs a unix_time")
                }
            default:
                break
            }
        }
    }

    /// Entities in the order the Bot API returns them: by offset, longer first.
    static func sorted(_ entities: [Entity]) -> [Entity] {
        entities.enumerated().sorted { lhs, rhs in
            if lhs.element.offset != rhs.element.offset { return lhs.element.offset < rhs.element.offset }
            if lhs.element.length != rhs.element.length { return lhs.element.length > rhs.element.length }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}
