/// Decides the verdict for one envelope on one route to one destination.
///
/// The detectors and the `on:` mapping arrive with the rules issue; until then no check can fire,
/// so every crossing takes the route's default verdict.
public struct Policy: Sendable {
    public init() {}

    /// The verdict and the findings behind it.
    public struct Decision: Sendable, Hashable {
        public var verdict: Verdict
        public var findings: [Finding]
    }

    public func decide(_ envelope: Envelope, on route: Route, to destination: Channel) -> Decision {
        Decision(verdict: route.defaultVerdict, findings: [])
    }
}
