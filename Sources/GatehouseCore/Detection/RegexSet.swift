import Foundation

/// The regular expressions of one check (`regex: ['\bINC-\d{6}\b', …]`), compiled at load with
/// ICU's syntax (NSRegularExpression: immutable and safe to share between threads).
///
/// Regex engines are the slow part of a policy, so each pattern is paired with the literal
/// every match must contain (`INC-`), found with a plain byte scan; the engine runs only on
/// messages that contain it. Patterns come from the administrator, not from message senders.
///
/// The texts come from senders, though, and a pattern with nested quantifiers (`(x+x+)+y`) can
/// take seconds on a few dozen characters: each scan has a time ``budget``; past it the engine is
/// stopped and the check reports a `regex_timeout` finding, which holds the message for a person
/// (``BoundedDetector``) instead of stalling intake until the watchdog kills the daemon.
public struct RegexSet: BoundedDetector, @unchecked Sendable {
    public let name = "regex"
    /// The patterns as written.
    public let patterns: [String]
    /// The longest one scan of one text may take, all patterns together.
    public let budget: Duration
    private let regexes: [NSRegularExpression]
    private let literals: [RequiredLiteral?]

    /// The budget of a scan unless the config says otherwise.
    public static let defaultBudget: Duration = .milliseconds(100)

    /// A pattern that does not compile.
    public struct PatternError: Error, Sendable {
        /// Which pattern, from 0.
        public var index: Int
        public var message: String
    }

    public init(patterns: [String], budget: Duration = RegexSet.defaultBudget) throws(PatternError) {
        self.budget = budget
        var regexes: [NSRegularExpression] = []
        for (index, pattern) in patterns.enumerated() {
            do {
                regexes.append(try NSRegularExpression(pattern: pattern))
            } catch {
                throw PatternError(index: index, message: "invalid regular expression '\(pattern)'")
            }
        }
        self.patterns = patterns
        self.regexes = regexes
        self.literals = patterns.map(RequiredLiteral.of)
    }

    public func scan(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>]) {
        _ = scan(text, into: &matches, until: .now + budget)
    }

    public func scanWithinBudget(_ text: NormalizedText, into matches: inout [Range<Int>]) -> Bool {
        let deadline = ContinuousClock.now + budget
        guard !text.isIdentity else { return scan(text.original, into: &matches, until: deadline) }
        let first = matches.count
        let finished = text.withView { scan($0, into: &matches, until: deadline) }
        for index in first..<matches.count { matches[index] = text.original(of: matches[index]) }
        return finished
    }

    /// Scans until `deadline`; false when the engine was stopped there (the matches found so far
    /// are kept, but the text was not read to its end).
    private func scan(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>], until deadline: ContinuousClock.Instant) -> Bool {
        // Built only when some pattern's literal occurs: most messages never need a String.
        var string: String?
        var found: [Range<Int>] = []
        var finished = true
        for (regex, literal) in zip(regexes, literals) where finished && literal?.occurs(in: text) ?? true {
            let subject = string ?? String(decoding: text, as: UTF8.self)
            string = subject
            let utf8 = subject.utf8
            let whole = NSRange(subject.startIndex..<subject.endIndex, in: subject)
            // With reportProgress the engine calls back while it works, also between matches:
            // that is where a runaway backtrack is stopped.
            regex.enumerateMatches(in: subject, options: [.reportProgress], range: whole) { match, _, stop in
                if ContinuousClock.now >= deadline {
                    finished = false
                    stop.pointee = true
                }
                guard let match, match.range.length > 0, let range = Range(match.range, in: subject) else { return }
                found.append(utf8.distance(from: utf8.startIndex, to: range.lowerBound)..<utf8.distance(from: utf8.startIndex, to: range.upperBound))
            }
        }
        // Ascending by start, as the Detector protocol asks, across all the patterns.
        matches.append(contentsOf: found.sorted { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) })
        return finished
    }

    /// Whether a pattern nests one quantifier inside another's group (`(a+)+`, `(a*b?)*`,
    /// `(?:x|xy){2,}`), the shape that backtracks exponentially: `check` warns about it.
    public static func hasNestedQuantifier(_ pattern: String) -> Bool {
        var depth = 0
        // Per open group: whether something inside it is quantified.
        var quantifiedInside: [Bool] = []
        var escaped = false
        var inClass = false
        var lastClosedGroupQuantified = false
        var previous: Character = " "
        for character in pattern {
            defer { previous = character }
            if escaped {
                escaped = false
                lastClosedGroupQuantified = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "[" where !inClass: inClass = true
            case "]" where inClass: inClass = false
            case _ where inClass: continue
            case "(":
                depth += 1
                quantifiedInside.append(false)
                lastClosedGroupQuantified = false
            case ")":
                guard depth > 0 else { continue }
                depth -= 1
                lastClosedGroupQuantified = quantifiedInside.removeLast()
                continue
            case "+", "*", "{":
                if lastClosedGroupQuantified { return true }
                if !quantifiedInside.isEmpty { quantifiedInside[quantifiedInside.count - 1] = true }
            case "?" where previous != "(" && !"+*?}".contains(previous):
                // An optional item, not a group's `(?:` nor a lazy quantifier's `+?`.
                if lastClosedGroupQuantified { return true }
                if !quantifiedInside.isEmpty { quantifiedInside[quantifiedInside.count - 1] = true }
            default:
                break
            }
            if character != ")" { lastClosedGroupQuantified = false }
        }
        return false
    }
}
