/// The decision pipeline for one inbound envelope: Router → Policy → Renderer.
///
/// Pure and deterministic for a given config, so `explain` and the daemon decide alike.
public struct Gate: Sendable {
    public let router: Router
    public let policy: Policy
    public let renderer: Renderer
    /// Each platform's side, by platform name.
    public let sides: [String: Side]

    public init(router: Router, sides: [String: Side], policy: Policy = Policy(), renderer: Renderer = Renderer()) {
        self.router = router
        self.sides = sides
        self.policy = policy
        self.renderer = renderer
    }

    /// Every crossing the envelope makes: one per route whose `from` matches (and that takes the
    /// envelope's kind) and per destination.
    ///
    /// Each check is evaluated once per envelope, however many routes use it. A destination equal
    /// to the source is skipped, so a route listing a channel on both ends cannot echo a message
    /// back where it came from; a destination reached by two routes is decided once per route,
    /// since each route is its own rule with its own audit trail.
    public func crossings(for envelope: Envelope) -> [Crossing] {
        var taken: [(source: Channel, route: Route)] = []
        // A message in a forum topic can match both the topic's channel and the whole chat's;
        // a route naming both must still take it once.
        var seen: Set<String> = []
        for source in router.sources(of: envelope) {
            for route in router.routes(from: source.name) where route.takes(envelope.kind) && seen.insert(route.name).inserted {
                taken.append((source, route))
            }
        }
        guard !taken.isEmpty else { return [] }
        let inspection = policy.inspect(envelope, checks: taken.flatMap { $0.route.on.map(\.check) })
        var crossings: [Crossing] = []
        for (source, route) in taken {
            let decision = policy.decide(on: route, inspection)
            // Spans of checks mapped to redact are masked whatever the verdict: a held message
            // released by an approver must not carry what the rules said to mask.
            var body = Redactor.mask(envelope.body, decision.masked.filter { $0.field == nil })
            let native = Self.native(of: envelope, in: &body, placeholder: route.placeholders)
            // What else leaves with the text is masked where the finding is: inside the sender's
            // name, inside a file's name.
            let sent = Self.masked(envelope, decision.masked)
            let context = Renderer.Context(route: route.name, channel: source.name, platform: source.platform)
            let rendered = renderer.render(route.template, body: body, envelope: sent, context: context)
            // An attachment finding has no span to mask: redacting it means the files stay behind.
            let attachments = decision.masked.contains { $0.detector == AttachmentDetector.name } ? [] : sent.attachments
            for name in route.to where name != source.name {
                guard let destination = router.channels[name] else { continue }
                // Private chats take only what is addressed to one customer (a desk's `#1042 …`):
                // anything else said at the desk stays there.
                if destination.address == .privateChats, envelope.addressee == nil { continue }
                // A destination with a template of its own gets its own text, from the same
                // decision and the same masked body.
                let rendered = route.templates[name].map { renderer.render($0, body: body, envelope: sent, context: context) } ?? rendered
                crossings.append(
                    Crossing(
                        route: route.name,
                        source: source.name,
                        destination: destination.name,
                        kind: envelope.kind,
                        direction: direction(from: source, to: destination),
                        verdict: decision.verdict,
                        findings: decision.findings,
                        text: rendered.text,
                        spans: rendered.spans,
                        attachments: attachments,
                        native: native,
                        ticket: envelope.ticket ?? envelope.addressee?.ticket,
                        addressee: destination.address == .privateChats ? envelope.addressee : nil
                    )
                )
            }
        }
        return crossings
    }

    /// The native form that crosses with `body` (the masked body): none when masking touched its
    /// label, for then what crosses is the masked label. The route's placeholder for the kind, if
    /// it has one, takes the label's place in the body (and is what a destination that sends the
    /// native form leaves out).
    static func native(of envelope: Envelope, in body: inout RichText, placeholder: [ContentKind: String]) -> NativeContent? {
        guard var native = envelope.native, body.text.hasSuffix(native.label) else { return nil }
        if let replacement = placeholder[native.kind] {
            // The label is the end of the text, after any formatted caption: no span moves.
            body.text = String(body.text.dropLast(native.label.count)) + replacement
            if replacement.isEmpty, body.text.hasSuffix("\n") { body.text.removeLast() }
            body.spans = body.spans.filter { $0.offset + $0.length <= body.text.unicodeScalars.count }
            native.label = replacement
        }
        return native
    }

    /// The envelope with the findings in its sender's name, department and file names masked.
    static func masked(_ envelope: Envelope, _ findings: [Finding]) -> Envelope {
        let fielded = findings.filter { $0.field != nil }
        guard !fielded.isEmpty else { return envelope }
        func mask(_ value: String, _ field: String) -> String {
            let here = fielded.filter { $0.field == field }
            return here.isEmpty ? value : Redactor.mask(value, here)
        }
        var envelope = envelope
        envelope.sender.name = mask(envelope.sender.name, Finding.Field.senderName)
        envelope.sender.department = envelope.sender.department.map { mask($0, Finding.Field.senderDepartment) }
        for index in envelope.attachments.indices {
            envelope.attachments[index].name = envelope.attachments[index].name.map { mask($0, Finding.Field.attachmentName(index)) }
        }
        return envelope
    }

    private func direction(from source: Channel, to destination: Channel) -> Direction {
        guard let from = sides[source.platform], let to = sides[destination.platform] else { return .lateral }
        return Direction(from: from, to: to)
    }
}
