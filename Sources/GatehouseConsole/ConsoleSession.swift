import Foundation
import GatehouseCore

/// A person signed in to the console: who, with which role, and the token their forms must carry.
public struct ConsoleSession: Sendable {
    /// Who signed in, as DingTalk's directory named them at sign-in.
    public let person: ReviewerIdentity
    /// What they may do (judged at sign-in by `console.roles`).
    public let role: ConsoleRole
    /// The token every form of this session carries (`csrf`), compared in constant time.
    public let csrf: String
    /// When the session began and when it was last used.
    public let started: ContinuousClock.Instant
    var lastSeen: ContinuousClock.Instant
    /// Signed in with a break-glass link from the admin socket: an admin whatever the config's
    /// roles say (the person is a Unix user, whom they cannot name).
    public var breakGlass = false

    /// Whether the session's role includes `role`.
    public func may(_ role: ConsoleRole) -> Bool { self.role >= role }
}
