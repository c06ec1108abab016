import Foundation

/// How the normalised view (`NormalizedText`) reads each Unicode scalar, as a two-level table
/// (256-scalar pages) built once per process from the standard library's Unicode properties and
/// Foundation's NFKC.
///
/// Per scalar, the first rule that applies:
/// - ASCII is kept as is (case included: IBANs and credit codes are uppercase);
/// - default-ignorable code points (Unicode's `Default_Ignorable_Code_Point`: zero-width space and
///   joiners, soft hyphen, bidi controls, variation selectors, Mongolian free variation selectors
///   U+180B–U+180F, Hangul fillers, tags) and U+2800 BRAILLE PATTERN BLANK, which renders blank,
///   are dropped;
/// - line and paragraph separators (U+0085, U+2028, U+2029) read as `\n`, every other white space or
///   space separator (NBSP, U+2000–U+200A, U+3000, …) as one ASCII space;
/// - decimal digits of any script (`Nd`: full-width, Arabic-Indic, Devanagari, mathematical, …) read
///   as the ASCII digit of the same value;
/// - the hyphens and dashes U+2010–U+2015, the minus sign U+2212 and the small and full-width
///   hyphen-minus read as `-`;
/// - the full-width punctuation of CJK prose `！（），；？` is kept as written: every detector reads it
///   as the boundary its ASCII form is, and keeping it spares a copy of nearly every Chinese
///   message (`：` `＋` `－` `．` `＠` and the other full-width forms are folded: they can join a token);
/// - anything else NFKC changes reads as its NFKC form (full-width forms, `１` `Ａ` `：` → `1` `A` `:`;
///   mathematical alphanumerics `𝐂` → `C`; circled and parenthesised digits `①` `⑴` → `1` `(1)`;
///   ligatures `ﬁ` → `fi`; superscripts; CJK compatibility ideographs);
/// - a combining mark (`Mn`, `Me`) directly after an ASCII letter or digit is dropped, so that
///   `1̲3̲8̲` reads `138` (a rule of the view, which sees the previous character; marked here).
///
/// Normalisation is per scalar: there is no canonical reordering or composition across scalars.
struct NormalizationTable: Sendable {
    /// An entry: 0 keeps the scalar, 1 drops it, 2 is a combining mark, anything else is
    /// `offset << 8 | length` of its replacement in `replacements`.
    static let keep: UInt32 = 0
    static let drop: UInt32 = 1
    static let mark: UInt32 = 2

    static let pageCount = 0x1100

    let pageIndex: [UInt16]
    let pages: [UInt32]
    /// UTF-8 of every replacement; offset 0 is unused, so that no replacement's entry is 0, 1 or 2.
    let replacements: [UInt8]

    static let shared = NormalizationTable()

    private init() {
        var pageIndex = [UInt16](repeating: 0, count: Self.pageCount)
        var pages = [UInt32](repeating: Self.keep, count: 256)
        var replacements: [UInt8] = [0]
        var entries = [UInt32](repeating: 0, count: 256)
        var interned: [[UInt8]: UInt32] = [:]
        for page in 0..<Self.pageCount {
            // Planes 2 and 3 hold CJK ideographs, kept, but for the compatibility ideographs of
            // U+2F800–U+2FA1F; planes 4–13, 15 and 16 hold nothing this view changes.
            switch page {
            case 0x200..<0x2F8, 0x2FB..<0xE00, 0xF00...: continue
            case 0xD8..<0xE0: continue  // surrogates
            default: break
            }
            var changed = false
            for low in 0..<256 {
                let value = UInt32(page << 8 | low)
                var entry = Self.keep
                if let scalar = Unicode.Scalar(value) {
                    switch Self.mapping(of: scalar) {
                    case .keep: entry = Self.keep
                    case .drop: entry = Self.drop
                    case .mark: entry = Self.mark
                    case .replace(let bytes):
                        if let known = interned[bytes] {
                            entry = known
                        } else {
                            entry = UInt32(replacements.count) << 8 | UInt32(bytes.count)
                            interned[bytes] = entry
                            replacements += bytes
                        }
                    }
                }
                entries[low] = entry
                changed = changed || entry != Self.keep
            }
            if changed {
                pageIndex[page] = UInt16(pages.count >> 8)
                pages += entries
            }
        }
        self.pageIndex = pageIndex
        self.pages = pages
        self.replacements = replacements
    }

    @inline(__always)
    func entry(_ scalar: UInt32) -> UInt32 {
        pages[Int(pageIndex[Int(scalar >> 8)]) << 8 | Int(scalar & 0xFF)]
    }

    enum Mapping: Equatable {
        case keep, drop, mark
        case replace([UInt8])
    }

    /// The rules above for one scalar (used to build the table, and by the keyword matcher's).
    static func mapping(of scalar: Unicode.Scalar) -> Mapping {
        let value = scalar.value
        if value < 0x80 { return .keep }
        if isIgnorable(scalar) { return .drop }
        let properties = scalar.properties
        switch value {
        case 0xFF01, 0xFF08, 0xFF09, 0xFF0C, 0xFF1B, 0xFF1F: return .keep
        case 0x0085, 0x2028, 0x2029: return .replace([0x0A])
        case 0x2010...0x2015, 0x2212, 0xFE58, 0xFE63, 0xFF0D: return .replace([UInt8(ascii: "-")])
        default: break
        }
        if properties.isWhitespace || properties.generalCategory == .spaceSeparator { return .replace([0x20]) }
        if properties.numericType == .decimal, let digit = properties.numericValue, digit >= 0, digit <= 9 {
            return .replace([0x30 + UInt8(digit)])
        }
        if properties.changesWhenNFKCCaseFolded, let nfkc = nfkc(scalar), nfkc != [scalar] {
            var bytes: [UInt8] = []
            for mapped in nfkc {
                // NFKC of a compatibility character can hold a scalar the rules above read
                // otherwise (U+00A8 ¨ is a space and a combining mark): read those too.
                switch mapped.value < 0x80 ? .keep : mapping(of: mapped) {
                case .keep, .mark: bytes += Array(String(mapped).utf8)
                case .drop: break
                case .replace(let more): bytes += more
                }
            }
            return bytes.isEmpty ? .drop : .replace(bytes)
        }
        switch properties.generalCategory {
        case .nonspacingMark, .enclosingMark: return .mark
        default: return .keep
        }
    }

    /// Invisible characters: Unicode's default-ignorable code points, and those that are not but
    /// render blank all the same.
    static func isIgnorable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2800,  // braille pattern blank
            0x115F, 0x1160, 0x3164, 0xFFA0:  // Hangul fillers (default-ignorable too)
            return true
        default:
            return scalar.properties.isDefaultIgnorableCodePoint
        }
    }

    /// The NFKC form of one scalar, from Foundation.
    static func nfkc(_ scalar: Unicode.Scalar) -> [Unicode.Scalar]? {
        Array(String(scalar).precomposedStringWithCompatibilityMapping.unicodeScalars)
    }
}
