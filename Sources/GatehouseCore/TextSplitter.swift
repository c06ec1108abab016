/// Splits a text into parts that each fit a platform's limit, never inside a grapheme cluster
/// (so never inside a surrogate pair or an emoji sequence), preferring a paragraph break,
/// then a line break, then a space near the end of each part.
public struct TextSplitter: Sendable {
    /// How a platform measures a text against its limit.
    public enum Measure: Sendable {
        /// UTF-16 code units (Telegram's 4096).
        case utf16
        /// UTF-8 bytes (DingTalk's msgParam).
        case utf8
    }

    public var limit: Int
    public var measure: Measure

    public init(limit: Int, measure: Measure) {
        precondition(limit >= 8, "a limit below a few characters cannot hold a grapheme cluster")
        self.limit = limit
        self.measure = measure
    }

    public func split(_ text: String) -> [String] {
        guard size(of: text) > limit else { return [text] }
        var parts: [String] = []
        var rest = Substring(text)
        while size(of: rest) > limit {
            var end = rest.startIndex
            var used = 0
            var lastBreak: (index: String.Index, rank: Int)?
            for index in rest.indices {
                let character = rest[index]
                let width = size(of: character)
                if used + width > limit { break }
                used += width
                end = rest.index(after: index)
                let rank = character == "\n" && index > rest.startIndex && rest[rest.index(before: index)] == "\n" ? 3
                    : character == "\n" ? 2 : character == " " ? 1 : 0
                // A break is taken only in the last third of the part, so parts stay reasonably full.
                if rank > 0, used * 3 >= limit * 2, rank >= (lastBreak?.rank ?? 0) {
                    lastBreak = (end, rank)
                }
            }
            // A single grapheme cluster larger than the limit cannot be split without breaking it;
            // it is sent on its own and the platform decides.
            if end == rest.startIndex { end = rest.index(after: rest.startIndex) }
            let cut = lastBreak?.index ?? end
            parts.append(String(rest[..<cut]))
            rest = rest[cut...]
        }
        if !rest.isEmpty { parts.append(String(rest)) }
        return parts
    }

    private func size(of text: some StringProtocol) -> Int {
        switch measure {
        case .utf16: text.utf16.count
        case .utf8: text.utf8.count
        }
    }

    private func size(of character: Character) -> Int {
        switch measure {
        case .utf16: character.utf16.count
        case .utf8: character.utf8.count
        }
    }
}
