/// A credential. Its description is redacted so that interpolating it into a log line, an error
/// message or a dump never reveals it; read `value` only where it goes on the wire.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    /// Whether `candidate` is this secret, in time that depends only on the lengths: a comparison
    /// that stopped at the first difference would tell an attacker, byte by byte, how much of a
    /// guess was right.
    public func matches(_ candidate: String) -> Bool {
        let expected = Array(value.utf8)
        let given = Array(candidate.utf8)
        var difference = UInt8(expected.count == given.count ? 0 : 1)
        for index in 0..<given.count {
            difference |= given[index] ^ (index < expected.count ? expected[index] : 0)
        }
        return difference == 0 && !expected.isEmpty
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
