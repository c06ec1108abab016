/// One (envelope, route, destination) decision. Every crossing, whatever its verdict, is audited.
public struct Crossing: Sendable, Hashable {
    /// The route that produced it.
    public var route: String
    /// The source channel's name.
    public var source: String
    /// The destination channel's name.
    public var destination: String
    /// A new post, or an edit or deletion mirrored from the source.
    public var kind: Envelope.Kind
    /// internal → external or the other way.
    public var direction: Direction
    public var verdict: Verdict
    /// Why the verdict is what it is.
    public var findings: [Finding]
    /// The exact text that would be sent: the template applied, findings masked when redacted.
    public var text: String
    /// The formatting of `text` (Unicode-scalar offsets), which the destination's adapter writes
    /// in its platform's markup.
    public var spans: [Span]
    /// The attachments that go with it (none when the route redacts the attachment findings).
    public var attachments: [Envelope.Attachment]
    /// The content in its native form, when its label crossed untouched (see ``NativeContent``).
    public var native: NativeContent?
    /// The support-desk ticket the message is part of (a customer's message, or a desk's answer).
    public var ticket: Int64?
    /// Where a desk's answer goes, for a destination of private chats.
    public var addressee: Addressee?

    public init(
        route: String,
        source: String,
        destination: String,
        kind: Envelope.Kind = .post,
        direction: Direction,
        verdict: Verdict,
        findings: [Finding],
        text: String,
        spans: [Span] = [],
        attachments: [Envelope.Attachment] = [],
        native: NativeContent? = nil,
        ticket: Int64? = nil,
        addressee: Addressee? = nil
    ) {
        self.native = native
        self.ticket = ticket
        self.addressee = addressee
        self.route = route
        self.source = source
        self.destination = destination
        self.kind = kind
        self.direction = direction
        self.verdict = verdict
        self.findings = findings
        self.text = text
        self.spans = spans
        self.attachments = attachments
    }

    /// The text and its formatting, as decided.
    public var content: RichText { RichText(text: text, spans: spans) }
}
