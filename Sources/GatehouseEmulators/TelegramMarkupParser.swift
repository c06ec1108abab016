import Foundation

/// The three `parse_mode` markups, following the Bot API's parser (TDLib): same accepted syntax,
/// same error messages, byte offsets in UTF-8 of the input.
struct TelegramMarkupParser {
    private typealias Entity = TelegramEmulator.MessageEntity

    private let input: [Unicode.Scalar]
    private let byteOffsets: [Int]
    private var output = String.UnicodeScalarView()
    private var utf16Count = 0
    private var entities: [Entity] = []

    init(_ text: String) {
        input = Array(text.unicodeScalars)
        var offsets: [Int] = []
        offsets.reserveCapacity(input.count + 1)
        var total = 0
        for scalar in input {
            offsets.append(total)
            total += UTF8.width(scalar)
        }
        offsets.append(total)
        byteOffsets = offsets
    }

    private var count: Int { input.count }

    private func scalar(_ index: Int) -> Unicode.Scalar? {
        index < input.count ? input[index] : nil
    }

    private mutating func append(_ scalar: Unicode.Scalar) {
        output.append(scalar)
        utf16Count += UTF16.width(scalar)
    }

    private mutating func addEntity(_ entity: Entity) {
        guard entity.length > 0 else { return }
        entities.append(entity)
    }

    private func failure(_ detail: String) -> TelegramAPIError {
        .badRequest("can't parse entities: \(detail)")
    }

    private func finish() -> TelegramText {
        TelegramText(text: String(output), entities: TelegramText.sorted(entities))
    }

    // MARK: HTML

    private struct OpenTag {
        var name: String
        var start: Int
        var attributes: [String: String]
        var language: String?
    }

    private static let htmlTags: Set<String> = [
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler", "span", "code", "pre",
        "blockquote", "tg-emoji", "tg-time",
    ]

    mutating func parseHTML() throws -> TelegramText {
        var stack: [OpenTag] = []
        var index = 0
        while index < count {
            let current = input[index]
            if current == "&" {
                if let (decoded, length) = decodeHTMLEntity(at: index) {
                    append(decoded)
                    index += length
                } else {
                    append(current)
                    index += 1
                }
                continue
            }
            guard current == "<" else {
                append(current)
                index += 1
                continue
            }
            let tagOffset = byteOffsets[index]
            if scalar(index + 1) == "/" {
                var cursor = index + 2
                var name = ""
                while cursor < count, input[cursor] != ">" {
                    name.unicodeScalars.append(input[cursor])
                    cursor += 1
                }
                guard cursor < count else { throw failure("Unclosed end tag at byte offset \(tagOffset)") }
                name = name.trimmingCharacters(in: .whitespaces).lowercased()
                guard let open = stack.popLast() else {
                    throw failure("Unexpected end tag at byte offset \(tagOffset)")
                }
                guard open.name == name else {
                    throw failure(
                        "Unmatched end tag at byte offset \(tagOffset), expected \"</\(open.name)>\", found \"</\(name)>\""
                    )
                }
                close(open, within: &stack)
                index = cursor + 1
                continue
            }
            var cursor = index + 1
            var name = ""
            while cursor < count, Self.isTagNameScalar(input[cursor]) {
                name.unicodeScalars.append(input[cursor])
                cursor += 1
            }
            name = name.lowercased()
            guard Self.htmlTags.contains(name) else {
                throw failure("Unsupported start tag \"\(name)\" at byte offset \(tagOffset)")
            }
            var attributes: [String: String] = [:]
            while true {
                while cursor < count, Self.isSpace(input[cursor]) { cursor += 1 }
                guard cursor < count else { throw failure("Unclosed start tag at byte offset \(tagOffset)") }
                if input[cursor] == ">" { break }
                var attributeName = ""
                while cursor < count, Self.isTagNameScalar(input[cursor]) || input[cursor] == "_" {
                    attributeName.unicodeScalars.append(input[cursor])
                    cursor += 1
                }
                guard !attributeName.isEmpty else {
                    throw failure("Empty attribute name in the tag \"\(name)\" at byte offset \(byteOffsets[cursor])")
                }
                while cursor < count, Self.isSpace(input[cursor]) { cursor += 1 }
                var value = ""
                if scalar(cursor) == "=" {
                    cursor += 1
                    while cursor < count, Self.isSpace(input[cursor]) { cursor += 1 }
                    guard cursor < count else { throw failure("Unclosed start tag at byte offset \(tagOffset)") }
                    var raw: [Unicode.Scalar] = []
                    if input[cursor] == "\"" || input[cursor] == "'" {
                        let quote = input[cursor]
                        cursor += 1
                        while cursor < count, input[cursor] != quote {
                            raw.append(input[cursor])
                            cursor += 1
                        }
                        guard cursor < count else { throw failure("Unclosed start tag at byte offset \(tagOffset)") }
                        cursor += 1
                    } else {
                        while cursor < count, !Self.isSpace(input[cursor]), input[cursor] != ">" {
                            raw.append(input[cursor])
                            cursor += 1
                        }
                    }
                    value = Self.decodeHTMLEntities(raw)
                }
                attributes[attributeName.lowercased()] = value
            }
            if name == "span", attributes["class"] != "tg-spoiler" {
                throw failure("Tag \"span\" must have class \"tg-spoiler\" at byte offset \(tagOffset)")
            }
            stack.append(OpenTag(name: name, start: utf16Count, attributes: attributes))
            index = cursor + 1
        }
        if let open = stack.last {
            throw failure("Can't find end tag corresponding to start tag \"\(open.name)\"")
        }
        return finish()
    }

    private mutating func close(_ open: OpenTag, within stack: inout [OpenTag]) {
        let length = utf16Count - open.start
        if open.name == "code", let parent = stack.indices.last, stack[parent].name == "pre",
            let className = open.attributes["class"], className.hasPrefix("language-")
        {
            // <pre><code class="language-x"> names the pre block's language; it is not an entity of its own.
            stack[parent].language = String(className.dropFirst("language-".count))
            return
        }
        let offset = open.start
        switch open.name {
        case "b", "strong": addEntity(Entity(type: "bold", offset: offset, length: length))
        case "i", "em": addEntity(Entity(type: "italic", offset: offset, length: length))
        case "u", "ins": addEntity(Entity(type: "underline", offset: offset, length: length))
        case "s", "strike", "del": addEntity(Entity(type: "strikethrough", offset: offset, length: length))
        case "tg-spoiler", "span": addEntity(Entity(type: "spoiler", offset: offset, length: length))
        case "code": addEntity(Entity(type: "code", offset: offset, length: length))
        case "pre": addEntity(Entity(type: "pre", offset: offset, length: length, language: open.language))
        case "blockquote":
            let type = open.attributes["expandable"] != nil ? "expandable_blockquote" : "blockquote"
            addEntity(Entity(type: type, offset: offset, length: length))
        case "a":
            let href = open.attributes["href"] ?? ""
            if let user = Self.mentionedUser(href) {
                addEntity(Entity(type: "text_mention", offset: offset, length: length, user: user))
            } else if Self.isURL(href) {
                addEntity(Entity(type: "text_link", offset: offset, length: length, url: href))
            }
        case "tg-emoji":
            if let id = open.attributes["emoji-id"], !id.isEmpty {
                addEntity(Entity(type: "custom_emoji", offset: offset, length: length, customEmojiID: id))
            }
        case "tg-time":
            if let unix = open.attributes["unix"].flatMap({ Int64($0) }) {
                addEntity(
                    Entity(
                        type: "date_time",
                        offset: offset,
                        length: length,
                        unixTime: unix,
                        dateTimeFormat: open.attributes["format"]
                    )
                )
            }
        default:
            break
        }
    }

    private func decodeHTMLEntity(at index: Int) -> (Unicode.Scalar, Int)? {
        var cursor = index + 1
        var name = ""
        while cursor < count, cursor - index <= 10, input[cursor] != ";" {
            let character = input[cursor]
            guard character == "#" || character.properties.isAlphabetic || ("0"..."9").contains(character) else {
                return nil
            }
            name.unicodeScalars.append(character)
            cursor += 1
        }
        guard scalar(cursor) == ";" else { return nil }
        let decoded: Unicode.Scalar?
        switch name {
        case "lt": decoded = "<"
        case "gt": decoded = ">"
        case "amp": decoded = "&"
        case "quot": decoded = "\""
        default:
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                decoded = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
            } else if name.hasPrefix("#") {
                decoded = UInt32(name.dropFirst(1)).flatMap(Unicode.Scalar.init)
            } else {
                decoded = nil
            }
        }
        guard let decoded, decoded.value != 0 else { return nil }
        return (decoded, cursor - index + 1)
    }

    private static func decodeHTMLEntities(_ raw: [Unicode.Scalar]) -> String {
        var text = String.UnicodeScalarView()
        for scalar in raw { text.append(scalar) }
        var parser = TelegramMarkupParser(String(text))
        var index = 0
        while index < parser.count {
            if parser.input[index] == "&", let (decoded, length) = parser.decodeHTMLEntity(at: index) {
                parser.append(decoded)
                index += length
            } else {
                parser.append(parser.input[index])
                index += 1
            }
        }
        return String(parser.output)
    }

    private static func isTagNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-"
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
    }

    private static func mentionedUser(_ url: String) -> TelegramEmulator.User? {
        let prefix = "tg://user?id="
        guard url.lowercased().hasPrefix(prefix), let id = Int64(url.dropFirst(prefix.count)) else { return nil }
        return TelegramEmulator.User(id: id, firstName: "User \(id)", isBot: false)
    }

    private static func isURL(_ url: String) -> Bool {
        guard !url.isEmpty, !url.contains(" ") else { return false }
        let lower = url.lowercased()
        for scheme in ["http://", "https://", "tg://", "ftp://", "tonsite://", "mailto:"] where lower.hasPrefix(scheme) {
            return lower.count > scheme.count
        }
        return !lower.contains("://") && lower.contains(".")
    }

    // MARK: MarkdownV2

    private enum MarkdownEntity: String {
        case bold = "Bold"
        case italic = "Italic"
        case underline = "Underline"
        case strikethrough = "Strikethrough"
        case spoiler = "Spoiler"
        case code = "Code"
        case pre = "Pre"
        case textURL = "TextUrl"
        case customEmoji = "CustomEmoji"
    }

    private struct OpenMarkdown {
        var kind: MarkdownEntity
        var start: Int
        var outputStart: Int
        var byteOffset: Int
        var language: String?
    }

    private static let markdownV2Reserved = Set("_*[]()~`>#+-=|{}.!".unicodeScalars)

    mutating func parseMarkdownV2() throws -> TelegramText {
        var stack: [OpenMarkdown] = []
        var quoteStart: Int?
        var index = 0
        while index < count {
            let current = input[index]
            if current == "\\", let next = scalar(index + 1), next.value > 0, next.value <= 126 {
                append(next)
                index += 2
                continue
            }
            let inCode = stack.last.map { $0.kind == .code || $0.kind == .pre } ?? false
            if !inCode, current == ">", index == 0 || input[index - 1] == "\n" {
                // A quote line: consecutive ">" lines form one blockquote.
                if quoteStart == nil { quoteStart = utf16Count }
                index += 1
                continue
            }
            if current == "\n", let start = quoteStart, !inCode, scalar(index + 1) != ">" {
                addEntity(Entity(type: "blockquote", offset: start, length: utf16Count - start))
                quoteStart = nil
            }
            let isReserved = inCode ? current == "`" : Self.markdownV2Reserved.contains(current)
            guard isReserved else {
                append(current)
                index += 1
                continue
            }
            let next = scalar(index + 1)
            let afterNext = scalar(index + 2)
            var closes = false
            if let top = stack.last {
                switch top.kind {
                case .bold: closes = current == "*"
                case .italic: closes = current == "_" && next != "_"
                case .underline: closes = current == "_" && next == "_"
                case .strikethrough: closes = current == "~"
                case .spoiler: closes = current == "|" && next == "|"
                case .code: closes = current == "`"
                case .pre: closes = current == "`" && next == "`" && afterNext == "`"
                case .textURL, .customEmoji: closes = current == "]"
                }
            }
            if !closes {
                let byteOffset = byteOffsets[index]
                var kind: MarkdownEntity
                var language: String?
                switch current {
                case "_":
                    if next == "_" {
                        kind = .underline
                        index += 1
                    } else {
                        kind = .italic
                    }
                case "*": kind = .bold
                case "~": kind = .strikethrough
                case "|":
                    guard next == "|" else { throw reserved(current) }
                    kind = .spoiler
                    index += 1
                case "[": kind = .textURL
                case "`":
                    if next == "`", afterNext == "`" {
                        kind = .pre
                        index += 3
                        var languageEnd = index
                        while languageEnd < count, !Self.isSpace(input[languageEnd]), input[languageEnd] != "`" {
                            languageEnd += 1
                        }
                        if languageEnd != index, languageEnd < count, input[languageEnd] != "`" {
                            language = String(String.UnicodeScalarView(input[index..<languageEnd]))
                            index = languageEnd
                        }
                        index = skipOneNewline(at: index)
                        index -= 1
                    } else {
                        kind = .code
                    }
                case "!":
                    guard next == "[" else { throw reserved(current) }
                    kind = .customEmoji
                    index += 1
                default:
                    throw reserved(current)
                }
                stack.append(
                    OpenMarkdown(
                        kind: kind,
                        start: utf16Count,
                        outputStart: output.count,
                        byteOffset: byteOffset,
                        language: language
                    )
                )
                index += 1
                continue
            }
            guard let open = stack.popLast() else { continue }
            let length = utf16Count - open.start
            switch open.kind {
            case .bold: addEntity(Entity(type: "bold", offset: open.start, length: length))
            case .italic: addEntity(Entity(type: "italic", offset: open.start, length: length))
            case .strikethrough: addEntity(Entity(type: "strikethrough", offset: open.start, length: length))
            case .code: addEntity(Entity(type: "code", offset: open.start, length: length))
            case .underline:
                index += 1
                addEntity(Entity(type: "underline", offset: open.start, length: length))
            case .spoiler:
                index += 1
                addEntity(Entity(type: "spoiler", offset: open.start, length: length))
            case .pre:
                index += 2
                addEntity(Entity(type: "pre", offset: open.start, length: length, language: open.language))
            case .textURL:
                let url: String
                if scalar(index + 1) == "(" {
                    (url, index) = try readURL(from: index + 2)
                } else {
                    url = String(String.UnicodeScalarView(output.dropFirst(open.outputStart)))
                }
                if let user = Self.mentionedUser(url) {
                    addEntity(Entity(type: "text_mention", offset: open.start, length: length, user: user))
                } else if Self.isURL(url) {
                    addEntity(Entity(type: "text_link", offset: open.start, length: length, url: url))
                }
            case .customEmoji:
                guard scalar(index + 1) == "(" else {
                    throw TelegramAPIError.badRequest(
                        "can't parse entities: Custom emoji entity must contain a tg://emoji URL"
                    )
                }
                let url: String
                (url, index) = try readURL(from: index + 2)
                let prefix = "tg://emoji?id="
                guard url.hasPrefix(prefix), let id = Int64(url.dropFirst(prefix.count)) else {
                    throw failure("Invalid custom emoji URL specified")
                }
                addEntity(Entity(type: "custom_emoji", offset: open.start, length: length, customEmojiID: String(id)))
            }
            index += 1
        }
        if let open = stack.last {
            throw failure("Can't find end of \(open.kind.rawValue) entity at byte offset \(open.byteOffset)")
        }
        if let start = quoteStart {
            addEntity(Entity(type: "blockquote", offset: start, length: utf16Count - start))
        }
        return finish()
    }

    private func reserved(_ character: Unicode.Scalar) -> TelegramAPIError {
        failure("Character '\(character)' is reserved and must be escaped with the preceding '\\'")
    }

    /// Reads a `(url)` body starting after "("; returns the URL and the index of ")".
    private func readURL(from start: Int) throws -> (String, Int) {
        var url = String.UnicodeScalarView()
        var cursor = start
        while cursor < count, input[cursor] != ")" {
            if input[cursor] == "\\", let next = scalar(cursor + 1), next.value > 0, next.value <= 126 {
                url.append(next)
                cursor += 2
                continue
            }
            url.append(input[cursor])
            cursor += 1
        }
        guard cursor < count else {
            throw failure("Can't find end of a URL at byte offset \(byteOffsets[min(start, count)])")
        }
        return (String(url), cursor)
    }

    private func skipOneNewline(at index: Int) -> Int {
        guard let first = scalar(index), first == "\n" || first == "\r" else { return index }
        if let second = scalar(index + 1), second == "\n" || second == "\r", second != first {
            return index + 2
        }
        return index + 1
    }

    // MARK: Markdown (legacy)

    mutating func parseMarkdown() throws -> TelegramText {
        var index = 0
        while index < count {
            let current = input[index]
            if current == "\\", let next = scalar(index + 1), "_*`[".unicodeScalars.contains(next) {
                append(next)
                index += 2
                continue
            }
            guard "_*`[".unicodeScalars.contains(current) else {
                append(current)
                index += 1
                continue
            }
            let beginIndex = index
            let end: Unicode.Scalar = current == "[" ? "]" : current
            var isPre = false
            var language: String?
            index += 1
            if current == "`", scalar(index) == "`", scalar(index + 1) == "`" {
                index += 2
                isPre = true
                var languageEnd = index
                while languageEnd < count, !Self.isSpace(input[languageEnd]), input[languageEnd] != "`" {
                    languageEnd += 1
                }
                if languageEnd != index, languageEnd < count, input[languageEnd] != "`" {
                    language = String(String.UnicodeScalarView(input[index..<languageEnd]))
                    index = languageEnd
                }
                index = skipOneNewline(at: index)
            }
            let start = utf16Count
            let outputStart = output.count
            while index < count,
                input[index] != end || (isPre && !(scalar(index + 1) == "`" && scalar(index + 2) == "`"))
            {
                append(input[index])
                index += 1
            }
            guard index < count else {
                throw failure("Can't find end of the entity starting at byte offset \(byteOffsets[beginIndex])")
            }
            let length = utf16Count - start
            switch current {
            case "_": addEntity(Entity(type: "italic", offset: start, length: length))
            case "*": addEntity(Entity(type: "bold", offset: start, length: length))
            case "[":
                var url = String(String.UnicodeScalarView(output.dropFirst(outputStart)))
                if scalar(index + 1) == "(" {
                    index += 2
                    var body = String.UnicodeScalarView()
                    while index < count, input[index] != ")" {
                        body.append(input[index])
                        index += 1
                    }
                    url = String(body)
                }
                if let user = Self.mentionedUser(url) {
                    addEntity(Entity(type: "text_mention", offset: start, length: length, user: user))
                } else if Self.isURL(url) {
                    addEntity(Entity(type: "text_link", offset: start, length: length, url: url))
                }
            default:
                if isPre {
                    addEntity(Entity(type: "pre", offset: start, length: length, language: language))
                } else {
                    addEntity(Entity(type: "code", offset: start, length: length))
                }
            }
            if isPre { index += 2 }
            index += 1
        }
        return finish()
    }
}
