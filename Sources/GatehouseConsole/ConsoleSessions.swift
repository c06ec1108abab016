import Foundation
import GatehouseCore
import GatehouseRuntime

/// The console's sessions and the sign-ins under way, in memory: a restart signs everyone out.
///
/// A session is known by a random 256-bit token in a cookie; only the token's SHA-256 is kept
/// here, so a memory dump does not hand out sessions. A session ends at `lifetime` after sign-in,
/// after `idle` unused, or at sign-out. A sign-in under way is a random `state` sent to DingTalk
/// and a random binding in a cookie of the browser that asked: the callback must bring both back
/// (a state taken from someone else's browser, or replayed, is refused). Both stores are bounded:
/// past their capacity the oldest entry goes.
actor ConsoleSessions {
    private struct Attempt {
        var binding: String
        var next: String
        var expires: ContinuousClock.Instant
    }

    let lifetime: Duration
    let idle: Duration
    private var sessions: [String: ConsoleSession] = [:]
    private var attempts: [String: Attempt] = [:]
    let capacity: Int
    let attemptCapacity: Int
    /// How long a person may take on DingTalk's sign-in page.
    static let attemptLifetime: Duration = .seconds(600)

    init(lifetime: Duration, idle: Duration, capacity: Int = 10_000, attemptCapacity: Int = 1_000) {
        self.lifetime = lifetime
        self.idle = idle
        self.capacity = max(capacity, 10)
        self.attemptCapacity = max(attemptCapacity, 10)
    }

    static func token() -> String { SecretToken.random() }

    private static func key(_ token: String) -> String { SecretToken.digest(token) }

    /// Opens a session; the token for its cookie.
    func open(_ person: ReviewerIdentity, role: ConsoleRole, breakGlass: Bool = false) -> (token: String, session: ConsoleSession) {
        let now = ContinuousClock.now
        if sessions.count >= capacity { makeRoom(now: now) }
        let token = Self.token()
        var session = ConsoleSession(person: person, role: role, csrf: Self.token(), started: now, lastSeen: now)
        session.breakGlass = breakGlass
        sessions[Self.key(token)] = session
        return (token, session)
    }

    /// The session a cookie's token names, while it lasts (its use noted).
    func session(_ token: String) -> ConsoleSession? {
        let key = Self.key(token)
        let now = ContinuousClock.now
        guard var session = sessions[key] else { return nil }
        guard now - session.started < lifetime, now - session.lastSeen < idle else {
            sessions[key] = nil
            return nil
        }
        session.lastSeen = now
        sessions[key] = session
        return session
    }

    /// Ends a session (sign-out).
    func close(_ token: String) {
        sessions[Self.key(token)] = nil
    }

    var count: Int { sessions.count }

    /// Begins a sign-in that will come back to `next`: the state for DingTalk, and the binding for
    /// the browser's cookie.
    func begin(next: String) -> (state: String, binding: String) {
        let now = ContinuousClock.now
        if attempts.count >= attemptCapacity {
            attempts = attempts.filter { $0.value.expires > now }
            if attempts.count >= attemptCapacity {
                // The oldest tenth makes room: one sort per hundred sign-ins, not a scan per sign-in.
                for key in attempts.sorted(by: { $0.value.expires < $1.value.expires }).prefix(attemptCapacity / 10).map(\.key) {
                    attempts[key] = nil
                }
            }
        }
        let state = Self.token()
        let binding = Self.token()
        attempts[state] = Attempt(binding: Self.key(binding), next: next, expires: now + Self.attemptLifetime)
        return (state, binding)
    }

    /// Ends a sign-in that came back with `state` to a browser holding `binding`: where to go
    /// next, or nil when the state is unknown, used, expired, or not this browser's.
    func finish(state: String, binding: String?) -> String? {
        guard let attempt = attempts.removeValue(forKey: state), attempt.expires > .now, let binding,
            Self.constantTimeEqual(attempt.binding, Self.key(binding))
        else { return nil }
        return attempt.next
    }

    /// Forgets the sessions that ended; when that is not enough, the least recently used tenth
    /// (one sort per thousand sign-ins, not a scan per sign-in).
    private func makeRoom(now: ContinuousClock.Instant) {
        sessions = sessions.filter { now - $0.value.started < lifetime && now - $0.value.lastSeen < idle }
        guard sessions.count >= capacity else { return }
        for key in sessions.sorted(by: { $0.value.lastSeen < $1.value.lastSeen }).prefix(capacity / 10).map(\.key) {
            sessions[key] = nil
        }
    }

    /// Compares two strings in time that depends on their length only.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
