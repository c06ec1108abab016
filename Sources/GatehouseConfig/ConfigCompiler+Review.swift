import GatehouseCore
import Yams

extension ConfigCompiler {
    /// The route keys that say who reviews its holds.
    static let reviewKeys = ["reviewers", "approvals", "hold_timeout", "on_timeout", "escalate_to", "review_in", "tell_sender", "remind_before"]
    static let reviewSectionKeys = ["platform", "card_template"]
    /// The most reviewers one list may name, and the most approvals a hold may need.
    static let maxReviewers = 200

    /// A route's `reviewers: [staff:ID, department:NAME, group:NAME]`, `approvals: N`,
    /// `hold_timeout: 4h`, `on_timeout: reject|escalate`, `escalate_to: […]`, `review_in: CHANNEL`,
    /// `tell_sender: true`, `remind_before: 30m`. nil with no error when the route has none of
    /// them; `valid` false when one is wrong (reported).
    func reviewRule(_ fields: Fields, _ what: String, channels: Declared<Channel>) -> (rule: ReviewRule?, valid: Bool) {
        let given = Self.reviewKeys.filter { fields[$0] != nil }
        guard !given.isEmpty else { return (nil, true) }
        guard let node = fields["reviewers"] else {
            reader.error(at: fields.entries[given[0]]?.key, "\(what): \(given[0]) needs 'reviewers' (who may decide the route's holds)")
            return (nil, false)
        }
        var complete = true
        let reviewers = reviewerList(node, "\(what): reviewers", complete: &complete)
        var rule = ReviewRule(reviewers: reviewers)
        if let node = fields["approvals"], let count = reader.integer(node, "\(what): approvals") {
            let named = Set(reviewers).count
            if count < 1 || count > Self.maxReviewers {
                reader.error(at: node, "\(what): approvals must be between 1 and \(Self.maxReviewers), found \(count)")
                complete = false
            } else if reviewers.allSatisfy({ if case .staff = $0 { true } else { false } }), Int(count) > named {
                // Only named people can be counted; departments and groups may hold any number.
                reader.error(at: node, "\(what): approvals: \(count) needs more reviewers than the \(named) named")
                complete = false
            } else {
                rule.approvals = Int(count)
            }
        } else if fields["approvals"] != nil {
            complete = false
        }
        if let node = fields["hold_timeout"] {
            if let timeout = duration(node, "\(what): hold_timeout"), timeout > .zero {
                rule.timeout = timeout
            } else {
                if fields["hold_timeout"].flatMap({ duration($0, "") }) == .zero {
                    reader.error(at: node, "\(what): hold_timeout must be longer than 0s")
                }
                complete = false
            }
        }
        if let node = fields["remind_before"] {
            if let lead = duration(node, "\(what): remind_before") {
                if let timeout = rule.timeout, lead >= timeout {
                    reader.error(at: node, "\(what): remind_before must be shorter than hold_timeout")
                    complete = false
                }
                rule.remindBefore = lead
            } else {
                complete = false
            }
        }
        var escalate = false
        if let node = fields["on_timeout"] {
            switch reader.string(node, "\(what): on_timeout") {
            case "reject"?: break
            case "escalate"?: escalate = true
            case let word?:
                reader.error(
                    at: node,
                    "\(what): on_timeout must be reject or escalate, found '\(word)'\(reader.suggestion(for: word, among: ["reject", "escalate"]))"
                )
                complete = false
            case nil: complete = false
            }
            if rule.timeout == nil {
                reader.error(at: node, "\(what): on_timeout needs hold_timeout (when the hold times out)")
                complete = false
            }
        }
        if let node = fields["escalate_to"] {
            let second = reviewerList(node, "\(what): escalate_to", complete: &complete)
            if escalate {
                rule.onTimeout = .escalate(second)
            } else {
                reader.error(at: node, "\(what): escalate_to is used only with on_timeout: escalate")
                complete = false
            }
        } else if escalate {
            reader.error(at: fields["on_timeout"], "\(what): on_timeout: escalate needs escalate_to (the second list of reviewers)")
            complete = false
        }
        if let node = fields["review_in"], let name = reader.nonEmptyString(node, "\(what): review_in") {
            if let channel = channels.valid[name] {
                if case .conversation = channel.address {
                    rule.room = name
                } else {
                    reader.error(at: node, "\(what): review_in: channel '\(name)' is not a DingTalk group (a 'conversation'), where a card can go")
                    complete = false
                }
            } else if channels.complete {
                reader.error(
                    at: node,
                    "\(what): review_in: no channel named '\(name)'\(reader.suggestion(for: name, among: Array(channels.names.keys)))"
                )
                complete = false
            } else {
                complete = false
            }
        } else if fields["review_in"] != nil {
            complete = false
        }
        if let node = fields["tell_sender"] {
            if let tell = reader.boolean(node, "\(what): tell_sender") { rule.tellSender = tell } else { complete = false }
        }
        // The same person may be a DingTalk reviewer and in a reviewers' Unix group, and nothing
        // ties the two together: four eyes could then be one person's two votes.
        let kinds = Set(
            (rule.reviewers + rule.reviewers(escalated: true)).map { reviewer -> Bool in if case .unixGroup = reviewer { true } else { false } }
        )
        if rule.approvals > 1, kinds.count == 2 {
            reader.warning(
                at: fields["approvals"],
                "\(what): approvals: \(rule.approvals) counts a DingTalk reviewer and a member of a reviewers' Unix group as two people, though they may be one; name reviewers of one kind for four eyes"
            )
        }
        // A card needs somewhere to go: a review group, or people named one by one.
        let lists = [rule.reviewers] + (escalate ? [rule.reviewers(escalated: true)] : [])
        for list in lists where rule.room == nil && list.staff.isEmpty && list.contains(where: { if case .department = $0 { true } else { false } }) {
            reader.error(
                at: node,
                "\(what): a department is sent no card by itself (DingTalk gives no list of its members to the robot); add review_in: a group where its reviewers are, or name staff"
            )
            complete = false
        }
        return (complete ? rule : nil, complete)
    }

    private func reviewerList(_ node: Node, _ what: String, complete: inout Bool) -> [Reviewer] {
        let entries = reader.stringList(node, what)
        if entries.isEmpty, node.sequence != nil {
            reader.error(at: node, "\(what) must name at least one reviewer")
            complete = false
        }
        if entries.count > Self.maxReviewers {
            reader.error(at: node, "\(what) names \(entries.count) reviewers; at most \(Self.maxReviewers)")
            complete = false
        }
        var reviewers: [Reviewer] = []
        for (text, item) in entries {
            guard let reviewer = Reviewer(parsing: text) else {
                reader.error(at: item, "\(what): '\(text)' is not staff:ID, department:NAME or group:UNIX_GROUP")
                complete = false
                continue
            }
            reviewers.append(reviewer)
        }
        return reviewers
    }

    /// `review: { platform: NAME, card_template: ID }`.
    func compileReview(_ node: Node, platforms: Declared<PlatformConfig>) -> GatewayConfig.Review? {
        guard let fields = reader.fields(node, "review", allowed: Self.reviewSectionKeys),
            let platformNode = required(fields, "platform", in: "review"),
            let platform = reader.nonEmptyString(platformNode, "review: platform"),
            let templateNode = required(fields, "card_template", in: "review"),
            let template = reader.nonEmptyString(templateNode, "review: card_template")
        else { return nil }
        guard let type = platforms.names[platform] else {
            reader.error(
                at: platformNode,
                "review: platform: no platform named '\(platform)'\(reader.suggestion(for: platform, among: Array(platforms.names.keys)))"
            )
            return nil
        }
        guard type == "dingtalk" || type == nil else {
            reader.error(at: platformNode, "review: platform '\(platform)' is \(type ?? "?"); review cards are DingTalk interactive cards")
            return nil
        }
        return GatewayConfig.Review(platform: platform, cardTemplate: template)
    }
}
