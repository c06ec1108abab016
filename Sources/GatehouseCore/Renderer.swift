/// Builds the text a destination receives from an envelope and a route's template.
public struct Renderer: Sendable {
    public init() {}

    /// The values a template's variables take for one crossing.
    public struct Context: Sendable {
        public var route: String
        /// The source channel's name.
        public var channel: String
        public var platform: String

        public init(route: String, channel: String, platform: String) {
            self.route = route
            self.channel = channel
            self.platform = platform
        }
    }

    /// Applies `template` to `text` (the envelope's text, already masked if redacted).
    public func render(_ template: Template, text: String, envelope: Envelope, context: Context) -> String {
        render(template, body: RichText(text: text), envelope: envelope, context: context).text
    }

    /// Applies `template` to `body` (the envelope's body, already masked if redacted): the
    /// body's formatting goes wherever `{text}` puts the text; what the template adds is plain.
    public func render(_ template: Template, body: RichText, envelope: Envelope, context: Context) -> RichText {
        var output = ""
        var spans: [Span] = []
        for segment in template.segments {
            switch segment {
            case .literal(let literal):
                output += literal
            case .variable(.text):
                // Where the text lands, in scalars, is counted only when it has formatting to
                // place (counting every message's scalars was 8% of deciding it).
                if !body.spans.isEmpty {
                    let position = output.unicodeScalars.count
                    spans += body.spans.map { Span(offset: $0.offset + position, length: $0.length, style: $0.style) }
                }
                output += body.text
            case .variable(let variable):
                output += value(of: variable, text: body.text, envelope: envelope, context: context)
            case .time(let format):
                output += format.format(envelope.time)
            }
        }
        return RichText(text: output, spans: spans)
    }

    private func value(of variable: Template.Variable, text: String, envelope: Envelope, context: Context) -> String {
        switch variable {
        case .text: text
        case .senderName: envelope.sender.name
        case .senderDepartment: envelope.sender.department ?? ""
        case .senderID: envelope.sender.id
        case .channel: context.channel
        case .route: context.route
        case .platform: context.platform
        case .ticket: (envelope.ticket ?? envelope.addressee?.ticket).map { "#\($0)" } ?? ""
        }
    }
}
