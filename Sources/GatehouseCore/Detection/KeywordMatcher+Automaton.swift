/// The compiled keyword set: an Aho-Corasick automaton turned into a DFA, with its scalar tables,
/// flattened into one array so the scan loop reads it through a single pointer.
///
/// Symbols: every distinct folded scalar of the keywords gets a 16-bit symbol; 0 is "in no keyword".
/// Symbols `1...denseSymbols` are the ASCII ones, with a full transition row per state (the fast
/// path for Latin text). Each other symbol has the root's transition plus a short list of the
/// states whose transition on it differs from the root's: a CJK character continues few keywords,
/// and the list can be loaded before the current state is known.
///
/// Limits: 65,534 distinct characters over all keywords; rows addressed by 31-bit offsets.
///
/// A state is named by the offset of its row, so a transition is one load and one add; states that
/// report matches are numbered last, so "does this state report" is one comparison. A row is
/// `stride` entries: the dense transitions, then the state's output range.
struct KeywordAutomaton: Sendable {
    let table: [UInt32]
    /// `table[0..<pageCount]`: scalar page → slot.
    let pageIndexOffset = 0
    /// Slots of 256 entries: `kind << 16 | symbol` for every scalar of the page.
    let pagesOffset: Int
    /// The rows, `states × stride`; the root's row is first.
    let rowsOffset: Int
    let stride: Int
    let denseSymbols: UInt32
    /// Rows at or past this offset (relative to `rowsOffset`) report matches.
    let acceptingRow: UInt32
    /// The root's transition on every symbol.
    let rootOffset: Int
    /// Per symbol (and one past the last), the first index of its sparse edges (in pairs).
    let sparseIndexOffset: Int
    /// Groups of `sparseGroup` states then as many transitions, each XOR the root's transition on
    /// the symbol, padded with a state that never occurs: a lookup compares a whole group at once
    /// with SIMD and XORs the root's transition with whatever matched (nothing, if nothing did).
    let sparseEdgesOffset: Int
    /// Lengths in symbols of the keywords that end in a state, longest first.
    let outputsOffset: Int
    /// The longest keyword, in symbols.
    let maxLength: Int

    /// Row columns past the dense transitions.
    static let outputStartColumn = 1, outputEndColumn = 2
    static let metadataColumns = 2
    static let sparseGroup = 4
    static let noState: UInt32 = 0xFFFF_FFFF

    /// Compiles normalised keywords (none of them empty); throws, naming the keyword, past the limits.
    init(keywords: [[UInt32]]) throws(KeywordError) {
        // Symbols, ASCII first so that their transitions are the dense ones.
        var seen = Set<UInt32>()
        for (index, keyword) in keywords.enumerated() {
            seen.formUnion(keyword)
            if seen.count >= 0xFFFF {
                throw KeywordError(index: index, message: "the keywords use more than 65,534 distinct characters")
            }
        }
        let ordered = seen.sorted()
        var symbolOf: [UInt32: UInt32] = [:]
        for (index, scalar) in ordered.enumerated() { symbolOf[scalar] = UInt32(index + 1) }
        let symbolCount = ordered.count + 1
        let denseSymbols = UInt32(ordered.prefix { $0 < 0x80 }.count)
        let stride = Int(denseSymbols) + 1 + Self.metadataColumns

        // The trie.
        var children: [[UInt32: Int]] = [[:]]
        var terminal: [Bool] = [false]
        var depth: [Int] = [0]
        for (index, keyword) in keywords.enumerated() {
            var state = 0
            for scalar in keyword {
                let symbol = symbolOf[scalar] ?? 0
                if let next = children[state][symbol] {
                    state = next
                } else {
                    children.append([:])
                    terminal.append(false)
                    depth.append(depth[state] + 1)
                    children[state][symbol] = children.count - 1
                    state = children.count - 1
                }
            }
            terminal[state] = true
            // Row offsets are 32-bit.
            if children.count * stride >= 0x7FFF_FFFF {
                throw KeywordError(index: index, message: "the keywords are too many to compile")
            }
        }
        let stateCount = children.count

        // Failure links in breadth-first order; a state's matches are its own plus its failure's.
        var fail = [Int](repeating: 0, count: stateCount)
        var order: [Int] = [0]
        var outputs = [[Int]](repeating: [], count: stateCount)
        var head = 0
        while head < order.count {
            let state = order[head]
            head += 1
            for (symbol, child) in children[state].sorted(by: { $0.key < $1.key }) {
                var candidate = fail[state]
                while state != 0 {
                    if let next = children[candidate][symbol] {
                        fail[child] = next
                        break
                    }
                    if candidate == 0 { break }
                    candidate = fail[candidate]
                }
                outputs[child] = (terminal[child] ? [depth[child]] : []) + outputs[fail[child]]
                order.append(child)
            }
        }

        // Renumber: the root first, states that report matches last.
        var number = [Int](repeating: 0, count: stateCount)
        var next = 0
        for state in 0..<stateCount where outputs[state].isEmpty {
            number[state] = next
            next += 1
        }
        let firstAccepting = next
        for state in 0..<stateCount where !outputs[state].isEmpty {
            number[state] = next
            next += 1
        }
        func transition(_ target: Int) -> UInt32 { UInt32(number[target] * stride) }

        // The root's transitions over all symbols; every other state starts from its failure
        // state's, which breadth-first order has already completed.
        var root = [UInt32](repeating: 0, count: symbolCount)
        for (symbol, child) in children[0] { root[Int(symbol)] = transition(child) }
        var dense = [[UInt32]](repeating: [], count: stateCount)
        var sparse = [[UInt32: UInt32]](repeating: [:], count: stateCount)
        for state in order {
            if state == 0 {
                dense[0] = Array(root[0...Int(denseSymbols)])
                continue
            }
            let failure = fail[state]
            var row = dense[failure]
            var edges = failure == 0 ? [:] : sparse[failure]
            for (symbol, child) in children[state] {
                if symbol <= denseSymbols {
                    row[Int(symbol)] = transition(child)
                } else {
                    edges[symbol] = transition(child)
                }
            }
            dense[state] = row
            sparse[state] = edges.filter { root[Int($0.key)] != $0.value }
        }

        // Scalar pages: the shared classification, plus this set's symbols on every scalar that
        // folds to a keyword character.
        let classes = ScalarClassTable.shared
        var pageIndex = classes.pageIndex
        var pages = classes.pages
        var privatePage = [Bool](repeating: false, count: ScalarClassTable.pageCount)
        for (folded, symbol) in symbolOf {
            for source in [folded] + (classes.foldSources[folded] ?? []) {
                let page = Int(source >> 8)
                if !privatePage[page] {
                    let shared = Int(pageIndex[page]) << 8
                    pageIndex[page] = UInt32(pages.count >> 8)
                    pages += pages[shared..<shared + 256]
                    privatePage[page] = true
                }
                pages[Int(pageIndex[page]) << 8 | Int(source & 0xFF)] |= symbol
            }
        }

        // Flatten, rows in their new order.
        var edgesBySymbol = [[(state: UInt32, target: UInt32)]](repeating: [], count: symbolCount)
        for state in 0..<stateCount {
            for (symbol, target) in sparse[state] {
                edgesBySymbol[Int(symbol)].append((UInt32(number[state] * stride), target))
            }
        }
        var sparseIndex: [UInt32] = []
        var sparseEdges: [UInt32] = []
        for (symbol, edges) in edgesBySymbol.enumerated() {
            sparseIndex.append(UInt32(sparseEdges.count / 2))
            // At least one group, so the lookup loop runs once for most characters, predictably.
            var padded = edges.map { (state: $0.state, delta: $0.target ^ root[symbol]) }
            while padded.isEmpty || padded.count % Self.sparseGroup != 0 { padded.append((Self.noState, 0)) }
            for group in Swift.stride(from: 0, to: padded.count, by: Self.sparseGroup) {
                sparseEdges += padded[group..<group + Self.sparseGroup].map(\.state)
                sparseEdges += padded[group..<group + Self.sparseGroup].map(\.delta)
            }
        }
        sparseIndex.append(UInt32(sparseEdges.count / 2))
        var lengths: [UInt32] = []
        var rows = [UInt32](repeating: 0, count: stateCount * stride)
        for state in 0..<stateCount {
            let base = number[state] * stride
            let metadata = base + Int(denseSymbols)
            rows.replaceSubrange(base...metadata, with: dense[state])
            rows[metadata + Self.outputStartColumn] = UInt32(lengths.count)
            lengths += outputs[state].map { UInt32($0) }
            rows[metadata + Self.outputEndColumn] = UInt32(lengths.count)
        }
        var table = pageIndex
        pagesOffset = table.count
        table += pages
        rowsOffset = table.count
        table += rows
        rootOffset = table.count
        table += root
        sparseIndexOffset = table.count
        table += sparseIndex
        sparseEdgesOffset = table.count
        table += sparseEdges
        outputsOffset = table.count
        table += lengths

        self.table = table
        self.stride = stride
        self.denseSymbols = denseSymbols
        self.acceptingRow = UInt32(firstAccepting * stride)
        self.maxLength = depth.max() ?? 0
    }
}
