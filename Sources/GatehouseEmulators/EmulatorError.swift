/// A failure of an emulator's Swift API (not a platform error: those are answered on the wire).
public struct EmulatorError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable {
        case stopped
        case bindFailed
        case invalidInjection
        case unknownMessage
    }

    private let code: Code
    /// Human-readable detail; never contains a secret.
    public let detail: String

    private init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    static func stopped() -> EmulatorError {
        EmulatorError(.stopped, "the emulator is not running")
    }

    static func bindFailed(_ reason: String) -> EmulatorError {
        EmulatorError(.bindFailed, "the emulator could not start listening: \(reason)")
    }

    static func invalidInjection(_ reason: String) -> EmulatorError {
        EmulatorError(.invalidInjection, reason)
    }

    static func unknownMessage(_ reason: String) -> EmulatorError {
        EmulatorError(.unknownMessage, reason)
    }

    /// A bounded, stable name for the failure (usable as a metric label).
    public var shortDescription: String {
        switch code {
        case .stopped: "stopped"
        case .bindFailed: "bind_failed"
        case .invalidInjection: "invalid_injection"
        case .unknownMessage: "unknown_message"
        }
    }

    /// The short description and the detail.
    public var description: String { "\(shortDescription): \(detail)" }
}
