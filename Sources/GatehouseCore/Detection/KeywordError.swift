/// A keyword list that cannot be compiled: which keyword, and why.
public struct KeywordError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The position of the offending keyword in the list given to `KeywordMatcher.init`.
    public let index: Int
    /// What is wrong with it, for a config diagnostic.
    public let message: String

    public init(index: Int, message: String) {
        self.index = index
        self.message = message
    }

    public var description: String { "keywords[\(index)]: \(message)" }
}
