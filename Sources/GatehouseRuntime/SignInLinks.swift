import Foundation
import GatehouseCore
import Synchronization

/// Break-glass sign-in to the console when DingTalk cannot sign anyone in: an operator on the
/// admin socket (the kernel names them) asks for a link, good once and for ten minutes, that
/// signs its bearer in as an admin in the operator's name. Only the link's SHA-256 is kept; at
/// most a hundred wait at once.
public final class SignInLinks: Sendable {
    private struct Link {
        var person: ReviewerIdentity
        var expires: ContinuousClock.Instant
    }

    public static let lifetime: Duration = .seconds(600)
    static let capacity = 100
    private let links = Mutex<[String: Link]>([:])

    public init() {}

    /// A new link's token, for `person`.
    public func issue(for person: ReviewerIdentity) -> String {
        let token = SecretToken.random()
        let now = ContinuousClock.now
        links.withLock { links in
            links = links.filter { $0.value.expires > now }
            if links.count >= Self.capacity, let oldest = links.min(by: { $0.value.expires < $1.value.expires })?.key { links[oldest] = nil }
            links[SecretToken.digest(token)] = Link(person: person, expires: now + Self.lifetime)
        }
        return token
    }

    /// Who a link was issued for, once: nil when it is unknown, used or expired.
    public func redeem(_ token: String) -> ReviewerIdentity? {
        let link = links.withLock { $0.removeValue(forKey: SecretToken.digest(token)) }
        guard let link, link.expires > .now else { return nil }
        return link.person
    }
}
