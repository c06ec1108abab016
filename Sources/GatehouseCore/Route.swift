/// A rule from the config: from channel(s) to channel(s), with checks mapped to verdicts and a template.
public struct Route: Sendable {
    /// The route's name, unique in a config; it appears in every audit record it produces.
    public var name: String
    /// Names of the source channels.
    public var from: [String]
    /// Names of the destination channels.
    public var to: [String]
    /// The checks that apply on this route and the verdict each yields when it fires, in config
    /// order. Checks not listed do not apply.
    public var on: [(check: String, verdict: Verdict)]
    /// The verdict when no check fires (`block` makes an allow-list route).
    public var defaultVerdict: Verdict
    /// How the forwarded text is built.
    public var template: Template
    /// Templates for particular destinations (by channel name), in place of `template` there.
    public var templates: [String: Template]
    /// Which later changes of a forwarded message follow it (`edit`, `delete`); a route without
    /// them takes new posts only.
    public var mirror: Set<Envelope.Kind>
    /// Whether its deliveries wait behind or go ahead of others when the platform's limits are
    /// reached (`priority:`; by default bulk when it fans out, see ``defaultPriority(to:from:)``).
    public var priority: DeliveryPriority
    /// What a copy says once it is withdrawn: when the platform refuses to delete it (Telegram
    /// after 48 hours), a mirrored delete, or an edit the rules now stop, edits it to this.
    public var withdrawn: String
    /// What stands in the text for a kind of content (a sticker, a location) in place of the
    /// label its platform's adapter writes (`placeholders:`); empty leaves nothing. A destination
    /// that sends the kind natively leaves the placeholder out as it does the label.
    public var placeholders: [ContentKind: String]
    /// Who decides its holds and how (`reviewers:`, `approvals:`, `hold_timeout:`…); nil lets
    /// anyone who can reach the admin socket decide them, one decision each.
    public var review: ReviewRule?

    /// The notice of ``withdrawn`` unless the config says otherwise.
    public static let defaultWithdrawn = "This message was withdrawn."

    public init(
        name: String,
        from: [String],
        to: [String],
        on: [(check: String, verdict: Verdict)] = [],
        defaultVerdict: Verdict = .forward,
        template: Template = .text,
        templates: [String: Template] = [:],
        mirror: Set<Envelope.Kind> = [],
        priority: DeliveryPriority? = nil,
        withdrawn: String = Route.defaultWithdrawn,
        placeholders: [ContentKind: String] = [:],
        review: ReviewRule? = nil
    ) {
        self.review = review
        self.withdrawn = withdrawn
        self.placeholders = placeholders
        self.priority = priority ?? Self.defaultPriority(to: to)
        self.templates = templates
        self.name = name
        self.from = from
        self.to = to
        self.on = on
        self.defaultVerdict = defaultVerdict
        self.template = template
        self.mirror = mirror
    }

    /// A route that fans out (more than one destination) is bulk: one message becomes many sends,
    /// and a conversation must not wait behind them. A route to one place is interactive.
    public static func defaultPriority(to destinations: [String]) -> DeliveryPriority {
        destinations.count > 1 ? .bulk : .interactive
    }

    /// Whether the route takes an event of this kind.
    public func takes(_ kind: Envelope.Kind) -> Bool {
        kind == .post || mirror.contains(kind)
    }
}

extension Route {
    /// Whether what this route sends carries a field of the envelope (``Finding/field``; nil is
    /// the text): the sender's name and department only where one of its templates puts them,
    /// file names wherever files or their names go, which is always.
    public func sends(_ field: String?) -> Bool {
        let variable: Template.Variable
        switch field {
        case nil: return true
        case Finding.Field.senderName?: variable = .senderName
        case Finding.Field.senderDepartment?: variable = .senderDepartment
        default: return true
        }
        return template.uses(variable) || templates.values.contains { $0.uses(variable) }
    }
}

extension Template {
    /// Whether the template puts `variable` in what it renders.
    public func uses(_ variable: Variable) -> Bool {
        segments.contains(.variable(variable))
    }
}
