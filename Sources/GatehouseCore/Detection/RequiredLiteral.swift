/// A piece of text that every match of a regular expression must contain, found without the
/// regex engine: the longest run of literal characters in the pattern's top-level sequence.
///
/// Conservative by construction: a pattern with a top-level alternation, `\Q…\E`, `(?x)` or
/// anything this reader does not understand has no required literal and always runs.
struct RequiredLiteral: Equatable {
    /// The literal's UTF-8 bytes.
    var bytes: [UInt8]
    /// From `(?i)`: ASCII letters match either case.
    var caseInsensitive: Bool

    static func of(_ pattern: String) -> RequiredLiteral? {
        var characters = Array(pattern.unicodeScalars)
        var caseInsensitive = false
        // Leading inline flags: (?i), (?m), (?s) and their combinations.
        if characters.starts(with: "(?".unicodeScalars), let close = characters.firstIndex(of: ")") {
            let flags = characters[2..<close]
            guard !flags.isEmpty, flags.allSatisfy({ "ims".unicodeScalars.contains($0) }) else { return nil }
            caseInsensitive = flags.contains("i")
            characters.removeFirst(close + 1)
        }
        var runs: [[Unicode.Scalar]] = []
        var run: [Unicode.Scalar] = []
        func endRun() {
            if !run.isEmpty { runs.append(run) }
            run = []
        }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            var literal: Unicode.Scalar?
            switch character {
            case "\\":
                guard index + 1 < characters.count else { return nil }
                let escaped = characters[index + 1]
                index += 2
                if escaped.properties.isAlphabetic || ("0"..."9").contains(escaped) {
                    // \d \w \s \b \p{…} \Q \x… \1 …: not a literal character.
                    if "QxuNpPck".unicodeScalars.contains(escaped) { return nil }
                    endRun()
                    continue
                }
                literal = escaped
            case "[":
                guard let end = Self.closing(of: characters, from: index, open: "[", close: "]") else { return nil }
                index = end + 1
                endRun()
                continue
            case "(":
                guard let end = Self.closing(of: characters, from: index, open: "(", close: ")") else { return nil }
                index = end + 1
                endRun()
                continue
            case "|":
                return nil
            case ".", "^", "$":
                index += 1
                endRun()
                continue
            case "*", "+", "?", "{":
                // A quantifier applies to the atom before it; `*`, `?` and `{0` make it optional.
                let optional =
                    character == "*" || character == "?" || (character == "{" && index + 1 < characters.count && characters[index + 1] == "0")
                if optional, !run.isEmpty { run.removeLast() }
                endRun()
                if character == "{" {
                    guard let close = characters[index...].firstIndex(of: "}") else { return nil }
                    index = close + 1
                } else {
                    index += 1
                }
                // Lazy and possessive markers.
                if index < characters.count, characters[index] == "?" || characters[index] == "+" { index += 1 }
                continue
            default:
                literal = character
                index += 1
            }
            if let literal { run.append(literal) }
        }
        endRun()
        guard let longest = runs.max(by: { String(String.UnicodeScalarView($0)).utf8.count < String(String.UnicodeScalarView($1)).utf8.count }) else {
            return nil
        }
        let text = String(String.UnicodeScalarView(longest))
        // Case-insensitive matching of non-ASCII letters needs Unicode folding: no prefilter then.
        if caseInsensitive, text.unicodeScalars.contains(where: { !$0.isASCII && $0.properties.changesWhenCaseMapped }) { return nil }
        return RequiredLiteral(
            bytes: Array(text.utf8),
            caseInsensitive: caseInsensitive && text.unicodeScalars.contains { $0.properties.isAlphabetic }
        )
    }

    /// The index of the bracket that closes the one at `start`, skipping escapes (and, for groups,
    /// character classes).
    private static func closing(of characters: [Unicode.Scalar], from start: Int, open: Unicode.Scalar, close: Unicode.Scalar) -> Int? {
        var depth = 0
        var index = start
        while index < characters.count {
            let character = characters[index]
            if character == "\\" {
                index += 2
                continue
            }
            if open == "(" && character == "[" {
                guard let end = closing(of: characters, from: index, open: "[", close: "]") else { return nil }
                index = end + 1
                continue
            }
            if character == open { depth += 1 }
            if character == close {
                depth -= 1
                if depth == 0 { return index }
            }
            index += 1
        }
        return nil
    }

    /// Whether `text` contains the literal. Sixteen candidate starts at a time are those whose
    /// first byte is the literal's first and whose byte `count − 1` further is its last (both
    /// cases when folding); only those are verified. Testing two bytes rather than one keeps a
    /// common first letter (`p` of "password" in English text) from making most starts candidates.
    func occurs(in text: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        guard count > 0 else { return true }
        guard text.count >= count, let base = text.baseAddress else { return false }
        return bytes.withUnsafeBufferPointer { needle in
            let first = needle[0]
            let last = needle[count - 1]
            let firsts = (SIMD16<UInt8>(repeating: first), SIMD16<UInt8>(repeating: other(first)))
            let lasts = (SIMD16<UInt8>(repeating: last), SIMD16<UInt8>(repeating: other(last)))
            var start = 0
            // Both loads stay inside the text, so every lane is a start a match fits after.
            while start + count - 1 + 16 <= text.count {
                let heads = UnsafeRawPointer(base + start).loadUnaligned(as: SIMD16<UInt8>.self)
                let tails = UnsafeRawPointer(base + start + count - 1).loadUnaligned(as: SIMD16<UInt8>.self)
                let hits = ((heads .== firsts.0) .| (heads .== firsts.1)) .& ((tails .== lasts.0) .| (tails .== lasts.1))
                if any(hits) {
                    for lane in 0..<16 where hits[lane] && matches(at: start + lane, in: text, needle) {
                        return true
                    }
                }
                start += 16
            }
            while start <= text.count - count {
                if matches(at: start, in: text, needle) { return true }
                start += 1
            }
            return false
        }
    }

    /// The byte's other case when folding an ASCII letter; the byte itself otherwise.
    private func other(_ byte: UInt8) -> UInt8 {
        caseInsensitive && Self.isASCIILetter(byte) ? byte ^ 0x20 : byte
    }

    private func matches(at start: Int, in text: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        for offset in 0..<needle.count where !Self.same(text[start + offset], needle[offset], folding: caseInsensitive) {
            return false
        }
        return true
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
    }

    private static func same(_ a: UInt8, _ b: UInt8, folding: Bool) -> Bool {
        a == b || folding && isASCIILetter(b) && a | 0x20 == b | 0x20
    }
}
