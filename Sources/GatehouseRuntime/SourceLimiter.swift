import GatehouseConfig
import GatehouseCore
import NIOCore
import Synchronization

/// Per-source limits on `/hooks`: a token bucket for the rate and a count of requests open at
/// once. A source is an IPv4 address or an IPv6 /64 (one host commonly has a whole /64).
///
/// The table is bounded: past ``bound`` sources, idle ones with a full bucket are forgotten, and
/// if none is, a new source is refused as busy rather than grow memory without bound.
final class SourceLimiter: Sendable {
    private struct Entry {
        var tokens: Double
        var updated: ContinuousClock.Instant
        var open: Int
    }

    static let bound = 4096

    private let limits: GatewayConfig.PushLimits
    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Double
    private let perSecond: Double

    init(_ limits: GatewayConfig.PushLimits) {
        self.limits = limits
        capacity = Double(max(1, limits.rate.count))
        perSecond = capacity / max(limits.rate.window.timeInterval, 0.001)
    }

    /// Takes a place for one request of `source`; nil when admitted (then ``release(_:)`` it),
    /// else why not.
    func admit(_ source: String, now: ContinuousClock.Instant = .now) -> PushAnswer.Refusal? {
        entries.withLock { entries in
            if entries[source] == nil, entries.count >= Self.bound {
                entries = entries.filter { _, entry in
                    entry.open > 0 || entry.tokens + (now - entry.updated).timeInterval * perSecond < capacity
                }
                guard entries.count < Self.bound else { return .busy }
            }
            var entry = entries[source] ?? Entry(tokens: capacity, updated: now, open: 0)
            entry.tokens = min(capacity, entry.tokens + max(0, (now - entry.updated).timeInterval) * perSecond)
            entry.updated = now
            defer { entries[source] = entry }
            guard entry.open < limits.concurrent else { return .busy }
            guard entry.tokens >= 1 else { return .rateLimited }
            entry.tokens -= 1
            entry.open += 1
            return nil
        }
    }

    /// Gives back the place an admitted request of `source` held.
    func release(_ source: String) {
        entries.withLock { entries in
            entries[source]?.open -= 1
        }
    }

    /// The key a peer's address is limited by: the IPv4 address, the IPv6 /64, or the Unix
    /// socket path.
    static func source(of address: SocketAddress?) -> String {
        switch address {
        case .v4: return address?.ipAddress ?? "unknown"
        case .v6:
            guard let text = address?.ipAddress else { return "unknown" }
            // An IPv4-mapped address is its IPv4 address.
            if text.lowercased().hasPrefix("::ffff:"), text.contains(".") { return String(text.dropFirst(7)) }
            return prefix64(text)
        case .unixDomainSocket: return "local"
        case nil: return "unknown"
        }
    }

    /// The first four groups of an IPv6 address, `::` expanded: `2001:db8:0:1::/64`.
    static func prefix64(_ text: String) -> String {
        let halves = text.split(separator: "::", maxSplits: 1, omittingEmptySubsequences: false).map {
            $0.split(separator: ":", omittingEmptySubsequences: true)
        }
        var groups = halves[0].map(String.init)
        if halves.count == 2 {
            let missing = max(0, 8 - groups.count - halves[1].count)
            groups += Array(repeating: "0", count: missing) + halves[1].map(String.init)
        }
        groups += Array(repeating: "0", count: max(0, 8 - groups.count))
        return groups.prefix(4).map { String(Int($0, radix: 16) ?? 0, radix: 16) }.joined(separator: ":") + "::/64"
    }
}
