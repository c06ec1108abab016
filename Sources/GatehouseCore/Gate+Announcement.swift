import Foundation

extension Gate {
    /// The source channel name an operator's announcement (`gatehouse announce`) carries in its
    /// crossings and audit records: it was written at the gateway, not in a conversation.
    public static let announceSource = "(announce)"
    /// The platform name of an operator's announcement's origin.
    public static let announcePlatform = "gatehouse"
    /// The source channel name of what the support desk itself says at the desk (a ticket list,
    /// a claim, a reference to a ticket that does not exist).
    public static let deskSource = "(desk)"

    /// Why an announcement cannot be decided; nothing is sent or recorded then.
    public struct AnnouncementError: Error, CustomStringConvertible {
        public let description: String
    }

    /// An operator's announcement decided for each destination by the rules of every route that
    /// sends there: the checks of all of them apply, the greatest verdict wins (block > hold >
    /// redact > forward), and every finding a `redact` names is masked. The crossing is recorded on
    /// the route whose verdict won (the first in the config among equals), so it is delivered and
    /// audited as that route's. The text goes as written: templates dress messages relayed from a
    /// conversation, and an announcement is the operator's own words.
    ///
    /// Refuses a destination that is not a configured channel, that Gatehouse does not publish
    /// to, or that no route sends to (nothing would say which rules apply).
    public func announcement(
        _ envelope: Envelope,
        to destinations: [String],
        source: String = announceSource
    ) throws(AnnouncementError)
        -> [Crossing]
    {
        var plans: [(channel: Channel, routes: [Route])] = []
        for name in destinations where !plans.contains(where: { $0.channel.name == name }) {
            guard let channel = router.channels[name] else {
                throw AnnouncementError(description: "no channel named '\(name)' in the config")
            }
            guard channel.address.sends else {
                throw AnnouncementError(
                    description: "channel '\(name)' is the platform's \(channel.address.logDescription), which Gatehouse does not publish to"
                )
            }
            let routes = router.routes.filter { $0.to.contains(name) && $0.takes(.post) }
            guard !routes.isEmpty else {
                throw AnnouncementError(
                    description: "no route sends to '\(name)': an announcement is checked by the rules of the routes to its destinations"
                )
            }
            plans.append((channel, routes))
        }
        guard !plans.isEmpty else { throw AnnouncementError(description: "an announcement needs at least one destination") }
        let inspection = policy.inspect(envelope, checks: plans.flatMap { $0.routes.flatMap { $0.on.map(\.check) } })
        return plans.map { channel, routes in
            let decisions = routes.map { policy.decide(on: $0, inspection) }
            // The first route with the greatest verdict: max(by:) would return the last among equals.
            let winner = decisions.indices.reduce(0) { best, index in decisions[index].verdict > decisions[best].verdict ? index : best }
            var findings: [Finding] = []
            var masked: [Finding] = []
            for decision in decisions {
                findings += decision.findings.filter { !findings.contains($0) }
                masked += decision.masked.filter { !masked.contains($0) }
            }
            let body = Redactor.mask(envelope.body, masked)
            let to = sides[channel.platform].map { Direction(from: .internal, to: $0) } ?? .lateral
            return Crossing(
                route: routes[winner].name,
                source: source,
                destination: channel.name,
                kind: .post,
                direction: to,
                verdict: decisions[winner].verdict,
                findings: findings,
                text: body.text,
                spans: body.spans
            )
        }
    }
}
