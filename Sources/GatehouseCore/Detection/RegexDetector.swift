import Foundation

/// A configured regular expression (`regex: ['\bINC-\d{6}\b']`), compiled at load with ICU's
/// syntax (NSRegularExpression: immutable and safe to share between threads).
///
/// Patterns come from the administrator, not from message senders, and texts are bounded by the
/// platforms' message limits.
public struct RegexDetector: Detector, @unchecked Sendable {
    public let name = "regex"
    /// The pattern as written.
    public let pattern: String
    private let regex: NSRegularExpression

    /// Compiles `pattern`; throws when it is not a valid regular expression.
    public init(pattern: String) throws {
        self.pattern = pattern
        self.regex = try NSRegularExpression(pattern: pattern)
    }

    public func scan(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>]) {
        let string = String(decoding: text, as: UTF8.self)
        let utf8 = string.utf8
        let whole = NSRange(string.startIndex..<string.endIndex, in: string)
        for match in regex.matches(in: string, range: whole) where match.range.length > 0 {
            guard let range = Range(match.range, in: string) else { continue }
            matches.append(utf8.distance(from: utf8.startIndex, to: range.lowerBound)..<utf8.distance(from: utf8.startIndex, to: range.upperBound))
        }
    }
}
