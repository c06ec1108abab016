import Foundation

/// The regular expressions of one check (`regex: ['\bINC-\d{6}\b', …]`), compiled at load with
/// ICU's syntax (NSRegularExpression: immutable and safe to share between threads).
///
/// Regex engines are the slow part of a policy, so each pattern is paired with the literal
/// every match must contain (`INC-`), found with a plain byte scan; the engine runs only on
/// messages that contain it. Patterns come from the administrator, not from message senders.
public struct RegexSet: Detector, @unchecked Sendable {
    public let name = "regex"
    /// The patterns as written.
    public let patterns: [String]
    private let regexes: [NSRegularExpression]
    private let literals: [RequiredLiteral?]

    /// A pattern that does not compile.
    public struct PatternError: Error, Sendable {
        /// Which pattern, from 0.
        public var index: Int
        public var message: String
    }

    public init(patterns: [String]) throws(PatternError) {
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
        // Built only when some pattern's literal occurs: most messages never need a String.
        var string: String?
        var found: [Range<Int>] = []
        for (regex, literal) in zip(regexes, literals) where literal?.occurs(in: text) ?? true {
            let subject = string ?? String(decoding: text, as: UTF8.self)
            string = subject
            let utf8 = subject.utf8
            let whole = NSRange(subject.startIndex..<subject.endIndex, in: subject)
            for match in regex.matches(in: subject, range: whole) where match.range.length > 0 {
                guard let range = Range(match.range, in: subject) else { continue }
                found.append(utf8.distance(from: utf8.startIndex, to: range.lowerBound)..<utf8.distance(from: utf8.startIndex, to: range.upperBound))
            }
        }
        // Ascending by start, as the Detector protocol asks, across all the patterns.
        matches.append(contentsOf: found.sorted { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) })
    }
}
