import GatehouseCore

extension DingTalkMarkdown {
    /// Reads the inline Markdown of one line: backslash escapes, bare and `<…>` addresses, code
    /// spans, links, images, and bold and italic by CommonMark's delimiter rules (runs of `*` or
    /// `_`, matched innermost first, with its rule of three), where a run opens when no white
    /// space follows it and closes when none precedes it, and `_` inside a word is a character.
    struct InlineReader {
        let scalars: [Unicode.Scalar]
        var range: Range<Int>

        init(scalars: [Unicode.Scalar], range: Range<Int>? = nil) {
            self.scalars = scalars
            self.range = range ?? scalars.indices
        }

        private enum Node {
            case text(String)
            case rich(RichText)
            /// A run of `*` or `_`, by its index in `runs`.
            case run(Int)
        }

        private struct Run {
            var scalar: Unicode.Scalar
            var count: Int
            /// What is left after matching, written as it is.
            var remaining: Int
            var canOpen: Bool
            var canClose: Bool
            /// Runs between a matched pair match nothing else.
            var active = true
        }

        private struct Pair {
            var opener: Int
            var closer: Int
            var style: Span.Style
        }

        func read() -> RichText {
            var nodes: [Node] = []
            var runs: [Run] = []
            var pending = ""
            func flush() {
                if !pending.isEmpty { nodes.append(.text(pending)) }
                pending = ""
            }
            var index = range.lowerBound
            while index < range.upperBound {
                let scalar = scalars[index]
                let next = index + 1 < range.upperBound ? scalars[index + 1] : nil
                if scalar == "\\", let next, next.isASCII, next.isPunctuation {
                    pending.unicodeScalars.append(next)
                    index += 2
                } else if scalar == "\u{200B}", index > range.lowerBound, scalars[index - 1] == "*", next == "*" {
                    // What the writer puts between two runs of markers to keep them apart.
                    index += 1
                } else if let end = BareURL.end(in: scalars, at: index, limit: range.upperBound) {
                    pending += Self.string(scalars[index..<end])
                    index = end
                } else if scalar == "`" {
                    let (code, end) = codeSpan(at: index)
                    if let code {
                        flush()
                        nodes.append(.rich(code))
                    } else {
                        pending += Self.string(scalars[index..<end])
                    }
                    index = end
                } else if scalar == "!", next == "[", let link = link(at: index + 1) {
                    // An image: its description stands for it.
                    pending += InlineReader(scalars: scalars, range: link.text).read().text
                    index = link.end
                } else if scalar == "[", let link = link(at: index) {
                    flush()
                    var text = RichTextBuilder()
                    text.append(InlineReader(scalars: scalars, range: link.text).read())
                    if !link.url.isEmpty { text.mark(0..<text.count, .link(link.url)) }
                    nodes.append(.rich(text.richText))
                    index = link.end
                } else if scalar == "<", let end = autolink(at: index) {
                    pending += Self.string(scalars[(index + 1)..<(end - 1)])
                    index = end
                } else if scalar == "*" || scalar == "_" {
                    flush()
                    runs.append(run(at: index))
                    nodes.append(.run(runs.count - 1))
                    index += runs[runs.count - 1].count
                } else {
                    pending.unicodeScalars.append(scalar)
                    index += 1
                }
            }
            flush()
            let pairs = Self.match(&runs)
            return Self.assemble(nodes, runs: runs, pairs: pairs)
        }

        private func run(at start: Int) -> Run {
            let scalar = scalars[start]
            var end = start
            while end < range.upperBound, scalars[end] == scalar { end += 1 }
            let before = start > range.lowerBound ? scalars[start - 1] : nil
            let after = end < range.upperBound ? scalars[end] : nil
            // Only the white-space half of CommonMark's flanking rules: its punctuation half makes
            // `中**「通知」**中` plain, where a Chinese reader sees bold.
            let leftFlanking = after.map { !$0.properties.isWhitespace } ?? false
            let rightFlanking = before.map { !$0.properties.isWhitespace } ?? false
            if scalar == "_" {
                let punctuationBefore = before?.isPunctuation ?? false
                let punctuationAfter = after?.isPunctuation ?? false
                return Run(
                    scalar: scalar,
                    count: end - start,
                    remaining: end - start,
                    canOpen: leftFlanking && (!rightFlanking || punctuationBefore),
                    canClose: rightFlanking && (!leftFlanking || punctuationAfter)
                )
            }
            return Run(scalar: scalar, count: end - start, remaining: end - start, canOpen: leftFlanking, canClose: rightFlanking)
        }

        /// Pairs openers with closers, as CommonMark's "process emphasis" does.
        private static func match(_ runs: inout [Run]) -> [Pair] {
            var pairs: [Pair] = []
            for closer in runs.indices where runs[closer].canClose {
                while runs[closer].remaining > 0 {
                    let candidate = (0..<closer).reversed().first { index in
                        let opener = runs[index]
                        guard opener.active, opener.canOpen, opener.remaining > 0, opener.scalar == runs[closer].scalar else { return false }
                        // The rule of three: `*foo**bar*` is one emphasis, not two.
                        let both = opener.canClose || runs[closer].canOpen
                        let sum = opener.count + runs[closer].count
                        return !(both && sum % 3 == 0 && !(opener.count % 3 == 0 && runs[closer].count % 3 == 0))
                    }
                    guard let opener = candidate else { break }
                    let used = runs[opener].remaining >= 2 && runs[closer].remaining >= 2 ? 2 : 1
                    pairs.append(Pair(opener: opener, closer: closer, style: used == 2 ? .bold : .italic))
                    runs[opener].remaining -= used
                    runs[closer].remaining -= used
                    for between in (opener + 1)..<closer { runs[between].active = false }
                }
            }
            return pairs
        }

        /// The text, with each pair's span from its opener to its closer; what a run did not use
        /// stays as characters (a closer uses its first characters, an opener its last).
        private static func assemble(_ nodes: [Node], runs: [Run], pairs: [Pair]) -> RichText {
            var builder = RichTextBuilder()
            var starts: [Int: Int] = [:]
            var ends: [Int: Int] = [:]
            for node in nodes {
                switch node {
                case .text(let text):
                    builder.append(text)
                case .rich(let rich):
                    builder.append(rich)
                case .run(let index):
                    for (pair, match) in pairs.enumerated() where match.closer == index { ends[pair] = builder.count }
                    builder.append(String(repeating: String(runs[index].scalar), count: runs[index].remaining))
                    for (pair, match) in pairs.enumerated() where match.opener == index { starts[pair] = builder.count }
                }
            }
            for (pair, match) in pairs.enumerated() {
                if let start = starts[pair], let end = ends[pair] { builder.mark(start..<end, match.style) }
            }
            return builder.richText
        }

        /// The code span that starts at a run of backticks, and where reading goes on: after the
        /// span, or after the run when no run as long closes it.
        private func codeSpan(at start: Int) -> (RichText?, Int) {
            var open = start
            while open < range.upperBound, scalars[open] == "`" { open += 1 }
            let length = open - start
            var index = open
            while index < range.upperBound {
                guard scalars[index] == "`" else {
                    index += 1
                    continue
                }
                var end = index
                while end < range.upperBound, scalars[end] == "`" { end += 1 }
                if end - index == length {
                    var code = scalars[open..<index]
                    if code.count >= 2, code.first == " ", code.last == " ", code.contains(where: { $0 != " " }) {
                        code = code.dropFirst().dropLast()
                    }
                    let text = Self.string(code)
                    return (RichText(text: text, spans: [Span(offset: 0, length: text.unicodeScalars.count, style: .code)]), end)
                }
                index = end
            }
            return (nil, open)
        }

        /// `[text](destination "title")` at `start`: the range of its text, its target, and its end.
        private func link(at start: Int) -> (text: Range<Int>, url: String, end: Int)? {
            var depth = 0
            var close = start
            while close < range.upperBound {
                switch scalars[close] {
                case "\\": close += 1
                case "[": depth += 1
                case "]": depth -= 1
                default: break
                }
                if depth == 0 { break }
                close += 1
            }
            guard close + 1 < range.upperBound, scalars[close] == "]", scalars[close + 1] == "(" else { return nil }
            var index = close + 2
            func skipSpaces() {
                while index < range.upperBound, scalars[index].properties.isWhitespace { index += 1 }
            }
            skipSpaces()
            var url = ""
            if index < range.upperBound, scalars[index] == "<" {
                index += 1
                while index < range.upperBound, scalars[index] != ">" {
                    url.unicodeScalars.append(scalars[index])
                    index += 1
                }
                guard index < range.upperBound else { return nil }
                index += 1
            } else {
                var parentheses = 0
                while index < range.upperBound, !scalars[index].properties.isWhitespace {
                    let scalar = scalars[index]
                    if scalar == "\\", index + 1 < range.upperBound, scalars[index + 1].isASCII, scalars[index + 1].isPunctuation {
                        url.unicodeScalars.append(scalars[index + 1])
                        index += 2
                        continue
                    }
                    if scalar == "(" { parentheses += 1 }
                    if scalar == ")" {
                        if parentheses == 0 { break }
                        parentheses -= 1
                    }
                    url.unicodeScalars.append(scalar)
                    index += 1
                }
            }
            skipSpaces()
            // An optional title, which DingTalk does not show.
            let closingQuote: [Unicode.Scalar: Unicode.Scalar] = ["\"": "\"", "'": "'", "(": ")"]
            if index < range.upperBound, let quote = closingQuote[scalars[index]] {
                index += 1
                while index < range.upperBound, scalars[index] != quote { index += 1 }
                index += 1
                skipSpaces()
            }
            guard index < range.upperBound, scalars[index] == ")" else { return nil }
            return ((start + 1)..<close, url, index + 1)
        }

        /// The end of an autolink (`<https://…>`) at `start`.
        private func autolink(at start: Int) -> Int? {
            guard let close = scalars[start..<range.upperBound].firstIndex(of: ">") else { return nil }
            let inside = scalars[(start + 1)..<close]
            guard !inside.contains(where: { $0.properties.isWhitespace || $0 == "<" }) else { return nil }
            let text = Self.string(inside).lowercased()
            guard ["http://", "https://", "dingtalk://", "mailto:"].contains(where: text.hasPrefix) else { return nil }
            return close + 1
        }

        static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
            String(String.UnicodeScalarView(scalars))
        }
    }
}
