/// Failures the emulator injects on purpose, so that tests can show a client survives what a real
/// server does now and then: a 429 with `retry_after` beyond the published limits, a 500 in JSON,
/// a 502 from the proxy in front (HTML, not the Bot API's JSON). A refused request is refused
/// before it is processed, so nothing it asked for happened.
public struct TelegramFaults: Sendable, Equatable {
    /// The share of message requests (sends, edits, deletes, uploads) refused, 0…1.
    public var rate: Double
    /// The `retry_after` of an injected 429, in seconds.
    public var retryAfter: Int
    /// Seeds the choice of which requests fail, so a failing run can be replayed.
    public var seed: UInt64
    /// The answers a refused request may get, one chosen at random each time.
    public var kinds: [Kind]

    /// How an injected failure answers.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// 429 Too Many Requests with `retry_after`.
        case tooManyRequests = "429"
        /// 500 in the Bot API's JSON.
        case internalError = "500"
        /// 502 from the proxy in front, in HTML.
        case badGateway = "502"
    }

    public init(rate: Double = 0, retryAfter: Int = 1, seed: UInt64 = 0x6761_7465_686f_7573, kinds: [Kind] = Kind.allCases) {
        self.rate = min(max(rate, 0), 1)
        self.retryAfter = max(retryAfter, 1)
        self.seed = seed
        self.kinds = kinds.isEmpty ? Kind.allCases : kinds
    }

    /// The methods faults are injected into: the ones that change what a chat shows.
    static let methods: Set<String> = [
        "sendmessage", "editmessagetext", "deletemessage", "sendphoto", "senddocument", "editmessagecaption",
    ]
}

/// SplitMix64: small, fast, and the same sequence for the same seed on every platform.
struct SplitMix64: Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<1.
    mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}
