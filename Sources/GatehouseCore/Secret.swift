/// A credential. Its description is redacted so that interpolating it into a log line, an error
/// message or a dump never reveals it; read `value` only where it goes on the wire.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
