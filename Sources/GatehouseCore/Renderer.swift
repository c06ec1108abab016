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
        var output = ""
        for segment in template.segments {
            switch segment {
            case .literal(let literal):
                output += literal
            case .variable(let variable):
                output += value(of: variable, text: text, envelope: envelope, context: context)
            case .time(let format):
                output += format.format(envelope.time)
            }
        }
        return output
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
        }
    }
}
