/// A host pattern or scheme of a link check that cannot be used: which list, which entry, and why.
public struct LinkRuleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The list the pattern came from.
    public enum List: String, Sendable, Hashable {
        case allow
        case deny
        case schemes
    }

    public let list: List
    /// The position of the pattern in its list.
    public let index: Int
    /// The pattern as given.
    public let pattern: String
    /// What is wrong with it, for a config diagnostic.
    public let message: String

    public init(list: List, index: Int, pattern: String, message: String) {
        self.list = list
        self.index = index
        self.pattern = pattern
        self.message = message
    }

    public var description: String { "\(list.rawValue)[\(index)] \(pattern.debugDescription): \(message)" }
}
