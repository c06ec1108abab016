import Foundation

/// The pushes a platform's hook refused in an interval, summed up in one audit record: a flood of
/// forged requests costs the log one record per interval, not one per request, and still shows
/// how many, why, when and from where.
public struct Refusals: Sendable, Hashable, Codable {
    /// How many were refused for one reason (``GatehouseCore/PushAnswer/Refusal``).
    public struct Count: Sendable, Hashable, Codable {
        public var reason: String
        public var count: Int

        public init(reason: String, count: Int) {
            self.reason = reason
            self.count = count
        }
    }

    /// How many came from one source address.
    public struct Source: Sendable, Hashable, Codable {
        public var address: String
        public var count: Int

        public init(address: String, count: Int) {
            self.address = address
            self.count = count
        }
    }

    /// The first and last refusal of the interval.
    public var first: Date
    public var last: Date
    /// By reason, in the reasons' alphabetical order.
    public var reasons: [Count]
    /// The busiest sources (most refusals first, then by address), at most ``sampleSize``.
    public var sources: [Source]
    /// How many more source addresses there were.
    public var otherSources: Int

    /// How many sources a summary names.
    public static let sampleSize = 16

    /// Every refusal of the interval (the reasons' counts added up).
    public var total: Int { reasons.reduce(0) { $0 + $1.count } }

    enum CodingKeys: String, CodingKey {
        case first, last, reasons, sources
        case otherSources = "other_sources"
    }

    public init(first: Date, last: Date, reasons: [Count], sources: [Source], otherSources: Int) {
        self.first = first
        self.last = last
        self.reasons = reasons
        self.sources = sources
        self.otherSources = otherSources
    }
}
