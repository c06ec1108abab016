/// Decides the verdict for an envelope on a route: every check the route maps that fires
/// contributes its verdict, the greatest wins (block > hold > redact > forward), and the route's
/// default applies when none fires.
public struct Policy: Sendable {
    /// Every configured check, by name.
    public var checks: [String: Check]

    public init(checks: [String: Check] = [:]) {
        self.checks = checks
    }

    /// The findings of the named checks on one envelope, computed once and shared by every route
    /// and destination that envelope reaches.
    public struct Inspection: Sendable {
        public var findings: [String: [Finding]]
    }

    /// The verdict and the findings behind it.
    public struct Decision: Sendable, Hashable {
        public var verdict: Verdict
        /// The findings of every check that fired and that the route maps, in config order.
        public var findings: [Finding]
        /// The findings to mask in whatever is sent (now, or after a hold is approved): those of
        /// the checks mapped to `redact`.
        public var masked: [Finding]
    }

    public func inspect(_ envelope: Envelope, checks names: some Sequence<String>) -> Inspection {
        var text = envelope.body.text
        return text.withUTF8 { bytes in
            var offsets = ScalarOffsets(bytes)
            // One normalised view for every check and detector.
            let normalized = NormalizedText(bytes)
            var findings: [String: [Finding]] = [:]
            for name in names where findings[name] == nil {
                // A check the config does not define cannot be evaluated: the loader rejects such
                // configs, and if one slipped through it fires (fail closed) rather than passing.
                guard let check = checks[name] else {
                    findings[name] = [Finding(check: name, detector: "undefined", offset: 0, length: 0)]
                    continue
                }
                findings[name] =
                    check.findings(in: envelope, text: normalized, offsets: &offsets)
                    + check.findings(inFieldsOf: envelope)
            }
            return Inspection(findings: findings)
        }
    }

    public func decide(on route: Route, _ inspection: Inspection) -> Decision {
        var verdict: Verdict?
        var findings: [Finding] = []
        var masked: [Finding] = []
        for (check, mapped) in route.on {
            // A finding in a sender's name counts only where the route's templates send the name.
            guard let found = inspection.findings[check]?.filter({ route.sends($0.field) }), !found.isEmpty else { continue }
            // A scan that ran out of time could not judge the text: at least a hold, never a
            // redact (there is nothing found to mask), whatever the check maps to.
            let effective = found.contains { $0.detector == timeoutDetector } ? max(mapped, .hold) : mapped
            verdict = max(verdict ?? effective, effective)
            findings += found
            if mapped == .redact { masked += found.filter { $0.detector != timeoutDetector } }
        }
        return Decision(verdict: verdict ?? route.defaultVerdict, findings: findings, masked: masked)
    }

    /// Decides one envelope on one route (inspecting only that route's checks).
    public func decide(_ envelope: Envelope, on route: Route) -> Decision {
        decide(on: route, inspect(envelope, checks: route.on.map(\.check)))
    }
}
