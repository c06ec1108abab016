/// Finds many keywords in one pass over a text, the way a person would still read them.
///
/// Matching is on a skeleton of keywords and text alike: NFKC (full-width = half-width, 𝐂𝐎𝐍𝐅 =
/// CONF), every Unicode space = space and digit = ASCII digit, Latin/Greek/Cyrillic/Armenian
/// letters lowercased, Cyrillic, Greek and Armenian look-alikes read as the Latin letters they pass
/// for (`CОNFIDENTIAL` with a Cyrillic О is `confidential`). It ignores invisible characters
/// (default-ignorable code points, blank braille, combining diacritics) everywhere, ignores spaces,
/// punctuation and symbols slipped between two CJK characters (`机 密`, `机，密`, `机-密`, `机★密`
/// all read `机密`), and reads a run of spaces as one space. Elsewhere spaces and punctuation
/// count: `test` does not match `tes t`. See `KeywordMatcher+Normalization.swift` for the exact rules.
///
/// A match is the byte range of the text from the first to the last matched character, including
/// anything ignored inside it. Overlapping matches of different keywords are all reported; a range
/// is reported once however many keywords produce it.
///
/// Substring semantics: a keyword matches inside a longer word (`secret` in `secretary`), which is
/// what a compliance check wants for CJK, where words are not delimited.
public struct KeywordMatcher: Detector {
    public var name: String { "keyword" }

    /// Keywords read the text as written: the matcher's tables apply the normalisation (a
    /// skeleton, stricter than the policy's view) as it reads, with no copy of the text.
    public var scansNormalizedView: Bool { false }

    private let automaton: KeywordAutomaton

    /// Compiles `keywords` into one automaton.
    ///
    /// Throws for a keyword that is empty, only white space, or nothing but invisible characters.
    public init(keywords: [String]) throws(KeywordError) {
        var normalized: [[UInt32]] = []
        normalized.reserveCapacity(keywords.count)
        for (index, keyword) in keywords.enumerated() {
            if keyword.isEmpty {
                throw KeywordError(index: index, message: "keyword is empty")
            }
            if keyword.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
                throw KeywordError(index: index, message: "keyword is only white space")
            }
            let scalars = KeywordNormalization.normalizeKeyword(keyword)
            if scalars.isEmpty {
                throw KeywordError(index: index, message: "keyword has nothing but invisible characters and separators")
            }
            normalized.append(scalars)
        }
        automaton = try KeywordAutomaton(keywords: normalized)
    }

    public func scan(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>]) {
        guard text.count > 0, automaton.maxLength > 0 else { return }
        let first = matches.count
        // The ring holds the start offset of the last `capacity` symbols fed to the automaton, so a
        // match's length in symbols gives its first byte.
        var capacity = 1
        while capacity < automaton.maxLength { capacity <<= 1 }
        automaton.table.withUnsafeBufferPointer { table in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: capacity) { ring in
                KeywordScanner(automaton: automaton, table: table, ring: ring, mask: capacity - 1)
                    .run(text, into: &matches)
            }
        }
        // Matches come out ordered by end; overlapping keywords can break the order by start.
        var sorted = true
        var index = first + 1
        while index < matches.count {
            let previous = matches[index - 1]
            let current = matches[index]
            if previous.lowerBound > current.lowerBound
                || (previous.lowerBound == current.lowerBound && previous.upperBound >= current.upperBound)
            {
                sorted = false
                break
            }
            index += 1
        }
        if !sorted {
            matches[first...].sort { $0.lowerBound != $1.lowerBound ? $0.lowerBound < $1.lowerBound : $0.upperBound < $1.upperBound }
            var write = first + 1
            for read in (first + 1)..<matches.count where matches[read] != matches[write - 1] {
                matches[write] = matches[read]
                write += 1
            }
            matches.removeLast(matches.count - write)
        }
    }
}

/// The scan loop: decodes UTF-8 inline, classifies and folds each scalar through the automaton's
/// page table, and steps the DFA. Nothing here allocates; the automaton's state and the symbol count
/// are locals of `run`, passed `inout` to the inlined helpers, so they stay in registers.
private struct KeywordScanner {
    let pageIndex: UnsafePointer<UInt32>
    let pages: UnsafePointer<UInt32>
    let ascii: UnsafePointer<UInt32>
    let rows: UnsafePointer<UInt32>
    let root: UnsafePointer<UInt32>
    let sparseIndex: UnsafePointer<UInt32>
    let sparseEdges: UnsafePointer<UInt32>
    let outputs: UnsafePointer<UInt32>
    let denseSymbols: UInt32
    let acceptingRow: UInt32
    let ring: UnsafeMutablePointer<Int>
    let mask: Int

    init(automaton: KeywordAutomaton, table: UnsafeBufferPointer<UInt32>, ring: UnsafeMutableBufferPointer<Int>, mask: Int) {
        // Both buffers are non-empty: the table always holds the page index, the ring at least one slot.
        let base = table.baseAddress.unsafelyUnwrapped
        pageIndex = base + automaton.pageIndexOffset
        pages = base + automaton.pagesOffset
        ascii = pages + (Int(pageIndex[0]) << 8)
        rows = base + automaton.rowsOffset
        root = base + automaton.rootOffset
        sparseIndex = base + automaton.sparseIndexOffset
        sparseEdges = base + automaton.sparseEdgesOffset
        outputs = base + automaton.outputsOffset
        denseSymbols = automaton.denseSymbols
        acceptingRow = automaton.acceptingRow
        self.ring = ring.baseAddress.unsafelyUnwrapped
        self.mask = mask
    }

    /// The page-table entry (`kind << 16 | symbol`) of a scalar.
    @inline(__always)
    func entry(_ scalar: UInt32) -> UInt32 {
        pages[Int(pageIndex[Int(scalar >> 8)]) << 8 | Int(scalar & 0xFF)]
    }

    /// Decodes the scalar starting at `index`; a malformed sequence reads as U+FFFD of one byte.
    @inline(__always)
    func decode(_ bytes: UnsafePointer<UInt8>, _ index: Int, _ count: Int) -> (scalar: UInt32, next: Int) {
        let lead = UInt32(bytes[index])
        if lead < 0x80 {
            return (lead, index + 1)
        } else if lead < 0xE0 {
            if lead >= 0xC2 && index + 1 < count {
                let b1 = UInt32(bytes[index + 1])
                if b1 & 0xC0 == 0x80 { return ((lead & 0x1F) << 6 | (b1 & 0x3F), index + 2) }
            }
        } else if lead < 0xF0 {
            if index + 2 < count {
                let b1 = UInt32(bytes[index + 1])
                let b2 = UInt32(bytes[index + 2])
                if b1 & 0xC0 == 0x80 && b2 & 0xC0 == 0x80 {
                    return ((lead & 0x0F) << 12 | (b1 & 0x3F) << 6 | (b2 & 0x3F), index + 3)
                }
            }
        } else if lead < 0xF5 && index + 3 < count {
            let b1 = UInt32(bytes[index + 1])
            let b2 = UInt32(bytes[index + 2])
            let b3 = UInt32(bytes[index + 3])
            if b1 & 0xC0 == 0x80 && b2 & 0xC0 == 0x80 && b3 & 0xC0 == 0x80 {
                let scalar = (lead & 0x07) << 18 | (b1 & 0x3F) << 12 | (b2 & 0x3F) << 6 | (b3 & 0x3F)
                // F4 90.. decodes past U+10FFFF, beyond the page index.
                if scalar <= 0x10FFFF { return (scalar, index + 4) }
            }
        }
        return (0xFFFD, index + 1)
    }

    /// Feeds one symbol, the scalar at `start..<end`, to the automaton in `state` (a row offset)
    /// and reports the matches that end there.
    @inline(__always)
    func step(
        _ symbol: UInt32,
        start: Int,
        end: Int,
        state: inout UInt32,
        count: inout Int,
        into matches: inout [Range<Int>]
    ) {
        ring[count & mask] = start
        count &+= 1
        state = symbol <= denseSymbols ? rows[Int(state) &+ Int(symbol)] : sparseTransition(symbol, from: state)
        if state >= acceptingRow { report(state: state, count: count, end: end, into: &matches) }
    }

    /// The transition on a symbol that is not ASCII, or on 0 ("in no keyword").
    @inline(__always)
    func sparseTransition(_ symbol: UInt32, from state: UInt32) -> UInt32 {
        // Nothing but the comparisons waits for `state`: a symbol's list can be loaded before it.
        var edge = Int(sparseIndex[Int(symbol)])
        let last = Int(sparseIndex[Int(symbol) &+ 1])
        // Groups of four (state, transition) pairs compared at once, without branches: most
        // characters continue fewer than four keywords' states, so the loop runs once.
        let current = SIMD4<UInt32>(repeating: state)
        var delta = SIMD4<UInt32>()
        repeat {
            let group = UnsafeRawPointer(sparseEdges + 2 &* edge)
            let states = group.loadUnaligned(as: SIMD4<UInt32>.self)
            let deltas = group.loadUnaligned(fromByteOffset: 16, as: SIMD4<UInt32>.self)
            delta |= deltas.replacing(with: 0, where: states .!= current)
            edge &+= KeywordAutomaton.sparseGroup
        } while edge < last
        return root[Int(symbol)] ^ (delta[0] | delta[1] | delta[2] | delta[3])
    }

    /// Appends the matches ending in `state`, whose last symbol ends at `end`.
    func report(state: UInt32, count: Int, end: Int, into matches: inout [Range<Int>]) {
        let metadata = rows + Int(state) + Int(denseSymbols)
        var output = Int(metadata[KeywordAutomaton.outputStartColumn])
        let last = Int(metadata[KeywordAutomaton.outputEndColumn])
        while output < last {
            let length = Int(outputs[output])
            matches.append(ring[(count &- length) & mask]..<end)
            output &+= 1
        }
    }

    /// Feeds the separators of `start..<end` (ignored when a CJK character followed them, fed when
    /// something else did), collapsing runs of spaces. Takes and returns the automaton's state by
    /// value: an `inout` local passed to a call that is not inlined would live in memory.
    func replay(
        _ bytes: UnsafePointer<UInt8>,
        from start: Int,
        to end: Int,
        state: UInt32,
        count: Int,
        into matches: inout [Range<Int>]
    ) -> (state: UInt32, count: Int) {
        var state = state
        var count = count
        var index = start
        var space = false
        while index < end {
            let (scalar, next) = decode(bytes, index, end)
            let entry = entry(scalar)
            switch entry >> 16 {
            case ScalarKind.space.rawValue:
                if !space { step(entry & 0xFFFF, start: index, end: next, state: &state, count: &count, into: &matches) }
                space = true
            case ScalarKind.punctuation.rawValue:
                step(entry & 0xFFFF, start: index, end: next, state: &state, count: &count, into: &matches)
                space = false
            default:
                break
            }
            index = next
        }
        return (state, count)
    }

    func run(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>]) {
        let bytes = text.baseAddress.unsafelyUnwrapped
        let end = text.count
        var state: UInt32 = 0
        var count = 0
        var index = 0
        var lastCJK = false
        var lastSpace = false
        // Start of a run of separators after a CJK character: dropped if a CJK character follows.
        var pending = -1
        while index < end {
            if !lastCJK {
                // A run of ASCII not after a CJK character: no separator can be pending, every
                // ASCII scalar folds to a dense symbol, and only a repeated space is skipped.
                while index < end {
                    let byte = bytes[index]
                    if byte >= 0x80 { break }
                    let entry = ascii[Int(byte)]
                    let isSpace = entry >> 16 == ScalarKind.space.rawValue
                    if !(isSpace && lastSpace) {
                        ring[count & mask] = index
                        count &+= 1
                        state = rows[Int(state) &+ Int(entry & 0xFFFF)]
                        if state >= acceptingRow { report(state: state, count: count, end: index &+ 1, into: &matches) }
                    }
                    lastSpace = isSpace
                    index &+= 1
                }
                if index >= end { break }
            } else if pending < 0 {
                // A run of CJK characters, three bytes each: nothing between them to resolve, and
                // their symbols are all sparse ones (or 0).
                while index &+ 2 < end {
                    let lead = UInt32(bytes[index])
                    let b1 = UInt32(bytes[index &+ 1])
                    let b2 = UInt32(bytes[index &+ 2])
                    if lead & 0xF0 != 0xE0 || b1 & 0xC0 != 0x80 || b2 & 0xC0 != 0x80 { break }
                    let entry = self.entry((lead & 0x0F) << 12 | (b1 & 0x3F) << 6 | (b2 & 0x3F))
                    if entry >> 16 != ScalarKind.cjk.rawValue { break }
                    ring[count & mask] = index
                    count &+= 1
                    state = sparseTransition(entry & 0xFFFF, from: state)
                    index &+= 3
                    if state >= acceptingRow { report(state: state, count: count, end: index, into: &matches) }
                }
                if index >= end { break }
            }
            let byte = bytes[index]
            let entry: UInt32
            let next: Int
            if byte < 0x80 {
                entry = ascii[Int(byte)]
                next = index &+ 1
            } else {
                let decoded = decode(bytes, index, end)
                entry = self.entry(decoded.scalar)
                next = decoded.next
            }
            let kind = entry >> 16
            if kind <= ScalarKind.cjk.rawValue {
                if pending >= 0 {
                    if kind == ScalarKind.ordinary.rawValue {
                        (state, count) = replay(bytes, from: pending, to: index, state: state, count: count, into: &matches)
                    }
                    pending = -1
                }
                step(entry & 0xFFFF, start: index, end: next, state: &state, count: &count, into: &matches)
                lastCJK = kind == ScalarKind.cjk.rawValue
                lastSpace = false
            } else if kind != ScalarKind.ignorable.rawValue {
                if lastCJK {
                    if pending < 0 { pending = index }
                } else if kind == ScalarKind.punctuation.rawValue {
                    step(entry & 0xFFFF, start: index, end: next, state: &state, count: &count, into: &matches)
                    lastSpace = false
                } else if !lastSpace {
                    step(entry & 0xFFFF, start: index, end: next, state: &state, count: &count, into: &matches)
                    lastSpace = true
                }
            }
            index = next
        }
        if pending >= 0 { _ = replay(bytes, from: pending, to: end, state: state, count: count, into: &matches) }
    }
}
