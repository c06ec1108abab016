import Foundation
import GatehouseCore

/// The one-use tokens (``PushToken``) this process has taken, or is taking, for as long as they
/// could be replayed. A token is taken before its push's commit, so that two copies of one push
/// racing in cannot both pass, and given back when the commit fails, so that the platform's
/// retry is not refused. The ledger keeps each committed token with the commit, so that a
/// restart does not reopen the window; this set spares the body's read and decode of a replay.
struct PushTokens: Sendable {
    private var expiry: [String: Date] = [:]

    /// Takes `token`; false if it is taken already.
    mutating func take(_ token: PushToken, platform: String, now: Date) -> Bool {
        // Only signed pushes get here, so the set grows with genuine traffic: pruned as it doubles.
        if expiry.count >= 1024, expiry.count.nonzeroBitCount == 1 {
            expiry = expiry.filter { $0.value > now }
        }
        let key = Self.key(token, platform)
        if let until = expiry[key], until > now { return false }
        expiry[key] = max(token.expires, now)
        return true
    }

    func isTaken(_ token: PushToken, platform: String, now: Date) -> Bool {
        (expiry[Self.key(token, platform)] ?? .distantPast) > now
    }

    /// Gives a token back: its push was not committed, so the platform may send it again.
    mutating func release(_ token: PushToken, platform: String) {
        expiry[Self.key(token, platform)] = nil
    }

    private static func key(_ token: PushToken, _ platform: String) -> String {
        "\(platform)\n\(token.nonce)"
    }
}
