import Foundation
import GatehouseCore
import GatehouseLedger
import Synchronization

/// Events that are summed up rather than recorded one by one, per platform, since the last
/// summary: counted as they happen (cheap, in memory, bounded), written to the audit log as one
/// record per platform and interval (``TallyAuditor``). The pushes the door refused are one
/// tally; the messages intake ignored (service messages, chats no channel names) another.
public final class Tally: Sendable {
    struct Window {
        var first: Date
        var last: Date
        var reasons: [String: Int] = [:]
        var sources: [String: Int] = [:]
        /// Refusals from addresses past the table's bound, not told apart.
        var unlisted = 0
    }

    /// How many source addresses one interval tells apart per platform; the rest are counted
    /// together. A flood from many addresses must not grow memory without bound.
    static let sourceBound = 1024

    private let windows = Mutex<[String: Window]>([:])

    public init() {}

    /// Counts one refusal of a push to `platform`'s hook from `source`.
    public func count(_ refusal: PushAnswer.Refusal, platform: String, source: String, at time: Date) {
        count(refusal.rawValue, platform: platform, source: source, at: time)
    }

    /// Counts one event of `platform` for `reason` (from a bounded set) from `source`.
    public func count(_ reason: String, platform: String, source: String, at time: Date) {
        windows.withLock { windows in
            var window = windows[platform] ?? Window(first: time, last: time)
            window.last = max(window.last, time)
            window.reasons[reason, default: 0] += 1
            if window.sources[source] != nil || window.sources.count < Self.sourceBound {
                window.sources[source, default: 0] += 1
            } else {
                window.unlisted += 1
            }
            windows[platform] = window
        }
    }

    /// The summaries of everything counted since the last call, by platform, and a fresh start.
    public func drain() -> [(platform: String, refusals: Refusals)] {
        let drained = windows.withLock { windows in
            defer { windows = [:] }
            return windows
        }
        return drained.sorted { $0.key < $1.key }.map { platform, window in
            let busiest = window.sources.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            let sample = busiest.prefix(Refusals.sampleSize).map { Refusals.Source(address: $0.key, count: $0.value) }
            // Addresses past the sample, and a flood's addresses past the table, count as more.
            let others = busiest.count - sample.count + (window.unlisted > 0 ? 1 : 0)
            return (
                platform,
                Refusals(
                    first: window.first,
                    last: window.last,
                    reasons: window.reasons.sorted { $0.key < $1.key }.map { .init(reason: $0.key, count: $0.value) },
                    sources: sample,
                    otherSources: others
                )
            )
        }
    }
}
