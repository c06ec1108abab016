/// Whether a time an outsider claims (a push's `timestamp` header, in milliseconds) lies within a
/// window around this machine's clock.
///
/// The claimed value is hostile: `Int64.min` or `Int64.max` must be refused, not trap the process
/// on the subtraction, as `abs(now - claimed)` would.
public struct ClockWindow: Sendable, Hashable {
    /// How far from now, either way, in milliseconds.
    public var milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    /// Whether `claimed` is within the window around `now` (both in milliseconds since 1970).
    public func contains(_ claimed: Int64, now: Int64) -> Bool {
        let (difference, overflow) = now.subtractingReportingOverflow(claimed)
        return !overflow && difference.magnitude <= milliseconds.magnitude
    }

    /// A header's text as a claimed time: only plain ASCII digits with an optional leading minus,
    /// at most 19 of them, are read; anything else (`+1`, ` 1`, `1e3`, 10 kB of digits) is nil.
    public static func milliseconds(_ text: String) -> Int64? {
        let utf8 = text.utf8
        guard (1...20).contains(utf8.count) else { return nil }
        let digits = utf8.first == UInt8(ascii: "-") ? utf8.dropFirst() : utf8[...]
        guard !digits.isEmpty, digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int64(text)
    }
}
