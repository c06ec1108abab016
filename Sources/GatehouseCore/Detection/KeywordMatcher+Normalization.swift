// The normalisation the keyword matcher applies to keywords and texts alike: a skeleton, so that
// what reads the same matches the same.
//
// Per scalar (see `KeywordNormalization.classify`):
// - invisible characters are dropped everywhere: Unicode's default-ignorable code points (zero-width
//   space and joiners, soft hyphen, bidi controls, variation selectors, Mongolian free variation
//   selectors, Hangul fillers, tags), U+2800 BRAILLE PATTERN BLANK, and the combining marks of the
//   diacritical-mark blocks (U+0300–U+036F, U+1AB0–U+1AFF, U+1DC0–U+1DFF, U+20D0–U+20FF,
//   U+FE20–U+FE2F), so that underlined or struck-through letters read as the letters;
// - the normalised view's rules (`NormalizationTable`) where they give one scalar: NFKC (full-width
//   forms, mathematical alphanumerics 𝐂𝐎𝐍𝐅, circled letters, half-width katakana, compatibility
//   ideographs), every decimal digit as ASCII, dashes as `-`; every Unicode white space folds to one
//   space; 。｡ fold to `.`, 、､ to `,`;
// - letters fold to lower case: ASCII, Latin-1, Latin Extended-A/B/C/D and Additional, IPA,
//   Greek (final sigma to sigma) and Greek Extended, Cyrillic, Armenian, the Kelvin and Ångström
//   signs (a simple one-scalar lowercase mapping; no full case folding such as ß → ss);
// - then look-alikes fold to the Latin letter they pass for (`Confusables`): Cyrillic, Greek and
//   Armenian letters that look like Latin ones (`СОNFIDENTIAL` with a Cyrillic С and О reads
//   `confidential`); digits never fold to letters;
// - everything else is kept as is: no canonical composition (é and e + U+0301 differ, since the
//   accent is dropped), no NFKC forms of several scalars (the ligature ﬁ, ™, ⑴ stay as written).
//
// Over the sequence:
// - spaces, punctuation and symbols (★ ☆ ● ※ ♥, emoji, currency and math symbols) between two CJK
//   characters (Han, Kana, Hangul, bopomofo) are dropped, so 机 密, 机，密, 机-密 and 机★密 all read
//   机密; elsewhere they are kept, so `tes t` is not `test`;
// - a run of spaces reads as one space (`internal   only` is `internal only`).

/// How the keyword matcher treats one Unicode scalar.
enum ScalarKind: UInt32 {
    /// Letters, digits, symbols and emoji outside the CJK ranges.
    case ordinary = 0
    /// Han, Hiragana, Katakana, Hangul and bopomofo: separators between two of these are ignored.
    case cjk = 1
    /// White space; a run of it reads as one space.
    case space = 2
    /// ASCII punctuation and symbols, Unicode punctuation (P*) such as ，。、・·「」 and symbols
    /// (S*) such as ★ ● ※ ♥ and emoji.
    case punctuation = 3
    /// Zero-width and other invisible format characters, never seen by the matcher.
    case ignorable = 4
}

enum KeywordNormalization {
    /// The class of a scalar and what it folds to.
    ///
    /// Only called while building tables (it consults the normalised view's table and the
    /// standard library's Unicode properties); the scan loop reads the tables built from it.
    static func classify(_ value: UInt32) -> (kind: ScalarKind, folded: UInt32) {
        var value = value
        if value >= 0x80 {
            if isIgnorable(value) { return (.ignorable, value) }
            // Full-width forms fold to ASCII (the view keeps some punctuation; keywords fold it all).
            if value >= 0xFF01 && value <= 0xFF5E { value -= 0xFEE0 }
            // A look-alike NFKC would turn into something else (Ϲ, lunate sigma, into Σ).
            if let latin = Confusables.latin(value) { return (.ordinary, latin) }
            let table = NormalizationTable.shared
            let entry = table.entry(value)
            switch entry {
            case NormalizationTable.keep, NormalizationTable.mark: break
            case NormalizationTable.drop: return (.ignorable, value)
            default:
                // A replacement of one scalar is a fold; one of several (ﬁ → fi) is kept as written.
                let offset = Int(entry >> 8)
                let bytes = table.replacements[offset..<(offset + Int(entry & 0xFF))]
                let scalars = String(decoding: bytes, as: UTF8.self).unicodeScalars
                if scalars.count == 1, let only = scalars.first { value = only.value }
            }
            switch value {
            case 0x3002, 0xFF61: return (.punctuation, 0x2E)  // 。｡ are full stops (and ︒ ﹒ by NFKC)
            case 0x3001, 0xFF64: return (.punctuation, 0x2C)  // 、､ are commas (and ︑ ﹑ by NFKC)
            default: break
            }
        }
        if value < 0x80 {
            switch value {
            case 0x41...0x5A: return (.ordinary, value + 0x20)
            case 0x30...0x39, 0x61...0x7A: return (.ordinary, value)
            case 0x09...0x0D, 0x20: return (.space, 0x20)
            case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return (.punctuation, value)
            default: return (.ordinary, value)  // control characters break a match like a letter would
            }
        }
        guard let scalar = Unicode.Scalar(value) else { return (.ordinary, value) }
        let properties = scalar.properties
        if properties.isWhitespace { return (.space, 0x20) }
        switch properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation,
            .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return (.punctuation, value)
        default:
            break
        }
        if isCJK(value) { return (.cjk, value) }
        let lower = lowercased(scalar)
        return (.ordinary, Confusables.latin(lower) ?? lower)
    }

    /// Invisible characters that can be slipped into a word without changing how it looks.
    static func isIgnorable(_ value: UInt32) -> Bool {
        switch value {
        case 0x0300...0x036F, 0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x20D0...0x20FF, 0xFE20...0xFE2F:
            return true  // combining diacritical marks: u̲n̲d̲e̲r̲l̲i̲n̲e̲d̲, s̶t̶r̶u̶c̶k̶, z̷a̷l̷g̷o̷
        default:
            guard let scalar = Unicode.Scalar(value) else { return false }
            return NormalizationTable.isIgnorable(scalar)
        }
    }

    /// Han (with extensions, radicals and compatibility ideographs), Hiragana, Katakana, Hangul, bopomofo.
    static func isCJK(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x11FF,  // Hangul Jamo
            0x2E80...0x2FDF,  // CJK radicals, Kangxi radicals
            0x3005...0x3007, 0x3021...0x3029, 0x3031...0x3035, 0x3038...0x303C,  // 々〆〇, numerals, kana repeat marks
            0x3040...0x30FF,  // Hiragana, Katakana (their punctuation is classified before this)
            0x3100...0x312F, 0x3130...0x318F, 0x31A0...0x31BF, 0x31F0...0x31FF,  // bopomofo, Hangul compatibility jamo, katakana ext.
            0x3400...0x4DBF, 0x4E00...0x9FFF,  // CJK unified ideographs and extension A
            0xA960...0xA97F, 0xAC00...0xD7FF,  // Hangul jamo ext. A, syllables, jamo ext. B
            0xF900...0xFAFF,  // CJK compatibility ideographs
            0xFF66...0xFF9F, 0xFFA1...0xFFDC,  // half-width katakana and Hangul
            0x1B000...0x1B16F,  // kana supplement and extensions
            0x20000...0x3FFFF:  // CJK extensions B onwards, compatibility supplement
            return true
        default:
            return false
        }
    }

    /// A one-scalar lowercase mapping for the scripts the matcher folds; other scalars unchanged.
    private static func lowercased(_ scalar: Unicode.Scalar) -> UInt32 {
        let value = scalar.value
        switch value {
        case 0x017F: return 0x73  // ſ long s
        case 0x0130: return 0x69  // İ, whose full lowercase is i + U+0307
        case 0x03C2: return 0x03C3  // ς final sigma
        case 0x0080..<0x0590, 0x1E00...0x1FFF, 0x2C60...0x2C7F, 0xA720...0xA7FF, 0x212A, 0x212B:
            let mapped = scalar.properties.lowercaseMapping.unicodeScalars
            guard mapped.count == 1, let first = mapped.first else { return value }
            return first.value == 0x03C2 ? 0x03C3 : first.value
        default:
            return value
        }
    }
}

/// The process-wide scalar classification, as a two-level table (256-scalar pages).
///
/// Built once from `KeywordNormalization.classify`; each `KeywordMatcher` copies the page index
/// and adds its own pages where its keywords' characters live.
struct ScalarClassTable: Sendable {
    /// Pages covering all of Unicode (0x110000 / 256).
    static let pageCount = 0x1100
    /// The slot of the page holding only ordinary scalars.
    static let ordinarySlot: UInt32 = 0
    /// The slot of the page holding only CJK scalars.
    static let cjkSlot: UInt32 = 1

    /// For every page, the slot in `pages` holding its entries.
    let pageIndex: [UInt32]
    /// Slots of 256 entries; an entry is `kind << 16` (the matcher adds a symbol in the low 16 bits).
    let pages: [UInt32]
    /// For a folded scalar, the other scalars that fold to it (`a` ← `A`, `Ａ`, `ａ`).
    let foldSources: [UInt32: [UInt32]]

    static let shared = ScalarClassTable()

    private init() {
        var pageIndex = [UInt32](repeating: Self.ordinarySlot, count: Self.pageCount)
        var pages = [UInt32](repeating: ScalarKind.ordinary.rawValue << 16, count: 256)
        pages += [UInt32](repeating: ScalarKind.cjk.rawValue << 16, count: 256)
        var foldSources: [UInt32: [UInt32]] = [:]
        var entries = [UInt32](repeating: 0, count: 256)
        for page in 0..<Self.pageCount {
            // Planes 2 and 3 are all CJK; planes 4–13 and the private-use planes 15–16 hold
            // nothing this normalisation treats specially, and surrogates never occur.
            switch page {
            case 0x200..<0x400:
                pageIndex[page] = Self.cjkSlot
                continue
            case 0xD8..<0xE0, 0x400..<0xE00, 0xF00...: continue
            default: break
            }
            var allOrdinary = true
            var allCJK = true
            for low in 0..<256 {
                let value = UInt32(page << 8 | low)
                let (kind, folded) = KeywordNormalization.classify(value)
                entries[low] = kind.rawValue << 16
                allOrdinary = allOrdinary && kind == .ordinary
                allCJK = allCJK && kind == .cjk
                if folded != value && kind != .ignorable { foldSources[folded, default: []].append(value) }
            }
            if allOrdinary { continue }
            if allCJK {
                pageIndex[page] = Self.cjkSlot
                continue
            }
            pageIndex[page] = UInt32(pages.count >> 8)
            pages += entries
        }
        self.pageIndex = pageIndex
        self.pages = pages
        self.foldSources = foldSources
    }
}

/// One scalar of a normalised text: what it folds to, its class, and the bytes it came from.
struct NormalizedScalar: Equatable {
    var folded: UInt32
    var kind: ScalarKind
    var start: Int
    var end: Int
}

extension KeywordNormalization {
    /// The normalised sequence of a text, by the rules the scan loop applies.
    ///
    /// Used to normalise keywords at init and, in tests, as the reference the scan loop is held to.
    static func normalize(_ text: String) -> [NormalizedScalar] {
        var scalars: [NormalizedScalar] = []
        var pending: [NormalizedScalar] = []  // separators after a CJK character, not yet placed
        var lastCJK = false
        var lastSpace = false
        var offset = 0

        func emitSeparators(_ run: [NormalizedScalar]) {
            var space = false
            for item in run {
                if item.kind == .space {
                    if !space { scalars.append(item) }
                    space = true
                } else {
                    scalars.append(item)
                    space = false
                }
            }
        }

        for scalar in text.unicodeScalars {
            let (kind, folded) = classify(scalar.value)
            let length = UTF8.width(scalar)
            let item = NormalizedScalar(folded: folded, kind: kind, start: offset, end: offset + length)
            offset += length
            switch kind {
            case .ordinary, .cjk:
                if kind == .ordinary { emitSeparators(pending) }
                pending.removeAll()
                scalars.append(item)
                lastCJK = kind == .cjk
                lastSpace = false
            case .space, .punctuation:
                if lastCJK {
                    pending.append(item)
                } else if kind == .punctuation {
                    scalars.append(item)
                    lastSpace = false
                } else if !lastSpace {
                    scalars.append(item)
                    lastSpace = true
                }
            case .ignorable:
                break
            }
        }
        emitSeparators(pending)
        return scalars
    }

    /// A keyword's normalised scalars, trimmed: no leading or trailing space, and no leading or
    /// trailing punctuation next to a CJK character (in a text it would vanish before another one).
    static func normalizeKeyword(_ keyword: String) -> [UInt32] {
        var scalars = normalize(keyword)
        func droppable(_ index: Int, towards step: Int) -> Bool {
            guard scalars[index].kind == .space || scalars[index].kind == .punctuation else { return false }
            if scalars[index].kind == .space { return true }
            var next = index + step
            while scalars.indices.contains(next), scalars[next].kind == .punctuation || scalars[next].kind == .space {
                next += step
            }
            return scalars.indices.contains(next) && scalars[next].kind == .cjk
        }
        while let first = scalars.indices.first, droppable(first, towards: 1) { scalars.removeFirst() }
        while let last = scalars.indices.last, droppable(last, towards: -1) { scalars.removeLast() }
        return scalars.map(\.folded)
    }
}
