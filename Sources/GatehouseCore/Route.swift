/// A rule from the config: from channel(s) to channel(s), with a template.
public struct Route: Sendable, Hashable {
    /// The route's name, unique in a config; it appears in every audit record it produces.
    public var name: String
    /// Names of the source channels.
    public var from: [String]
    /// Names of the destination channels.
    public var to: [String]
    /// How the forwarded text is built.
    public var template: Template
    /// The verdict when no check fires.
    public var defaultVerdict: Verdict

    public init(name: String, from: [String], to: [String], template: Template = .text, defaultVerdict: Verdict = .forward) {
        self.name = name
        self.from = from
        self.to = to
        self.template = template
        self.defaultVerdict = defaultVerdict
    }
}
