/// The web addresses written out in a text (`https://…`), found the same way in the neutral
/// text when writing Markdown and in Markdown when reading it, so that an address crosses
/// untouched both ways: no escape is written into one, and no `*` or `_` in one is read as emphasis.
///
/// An address starts with `http://`, `https://` or `dingtalk://` where no letter or digit is
/// just before, and runs to white space or a character Markdown gives a meaning there
/// (`<` `>` `[` `]` `` ` `` `\` `"`, and the zero-width space the writer puts between markers); trailing punctuation is the sentence's, not the address's,
/// and so is a `)` that closes nothing inside it (as GitHub's Markdown finds addresses).
enum BareURL {
    private static let schemes = ["http://", "https://", "dingtalk://"].map { Array($0.unicodeScalars) }

    /// The ranges of the addresses in `scalars`.
    static func ranges(in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = 0
        while index < scalars.count {
            if let end = end(in: scalars, at: index, limit: scalars.count) {
                ranges.append(index..<end)
                index = end
            } else {
                index += 1
            }
        }
        return ranges
    }

    /// The end of the address that starts at `start`, if one does, not past `limit`.
    static func end(in scalars: [Unicode.Scalar], at start: Int, limit: Int) -> Int? {
        if start > 0, DingTalkMarkdown.isWordCharacter(scalars[start - 1]) { return nil }
        guard
            let scheme = schemes.first(where: { scheme in
                start + scheme.count <= limit
                    && scheme.indices.allSatisfy { String(scalars[start + $0]).lowercased() == String(scheme[$0]) }
            })
        else { return nil }
        let body = start + scheme.count
        var end = body
        while end < limit, !scalars[end].properties.isWhitespace, scalars[end].properties.generalCategory != .control,
            !"<>[]`\\\"\u{200B}".unicodeScalars.contains(scalars[end])
        {
            end += 1
        }
        while end > body {
            let last = scalars[end - 1]
            if ".,:;!?*_~'".unicodeScalars.contains(last) {
                end -= 1
            } else if last == ")", scalars[start..<end].count(where: { $0 == ")" }) > scalars[start..<end].count(where: { $0 == "(" }) {
                end -= 1
            } else {
                break
            }
        }
        return end > body ? end : nil
    }
}
