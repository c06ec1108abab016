import Foundation
import GatehouseCore
import Yams

extension ConfigCompiler {
    static let channelKeys = ["platform", "conversation", "chat", "topic", "robot_webhook", "users", "announcements", "tz"]
    /// The keys that say where a DingTalk channel is; a channel has exactly one.
    static let dingtalkAddressKeys = ["conversation", "robot_webhook", "users", "announcements"]
    /// How many people one `oToMessages/batchSend` reaches.
    static let maxOneToOneUsers = 20
    static let routeKeys =
        ["name", "from", "to", "on", "default", "template", "templates", "mirror", "priority", "withdrawn", "placeholders"] + reviewKeys

    func compileChannels(_ node: Node, platforms: Declared<PlatformConfig>) -> Declared<Channel> {
        var channels = Declared<Channel>()
        for (name, key, value) in reader.namedEntries(node, "channels") {
            channels.declare(name, at: key, in: reader)
            let what = "channel '\(name)'"
            guard let fields = reader.fields(value, what, allowed: Self.channelKeys),
                let platformNode = required(fields, "platform", in: what),
                let platformName = reader.nonEmptyString(platformNode, "\(what): platform")
            else { continue }
            guard let type = platforms.names[platformName] else {
                reader.error(
                    at: platformNode,
                    "\(what): no platform named '\(platformName)'\(reader.suggestion(for: platformName, among: Array(platforms.names.keys)))"
                )
                continue
            }
            // A platform whose type could not be read has its own error; its channels cannot be checked further.
            guard let type, let address = address(fields, type: type, in: what), let platform = platforms.valid[platformName] else { continue }
            if case .announcements = address, case .dingtalk(let settings) = platform.settings, settings.receive == .http {
                // Events come over Stream; the robot's HTTP callbacks carry robot messages only.
                reader.error(
                    at: fields.entries["announcements"]?.key,
                    "\(what): announcements arrive over Stream mode, but platform '\(platformName)' has receive: http"
                )
                continue
            }
            var zone: TimeZone?
            if let node = fields["tz"], let identifier = reader.nonEmptyString(node, "\(what): tz") {
                zone = TimeZone(identifier: identifier)
                guard zone != nil else {
                    reader.error(at: node, "\(what): tz: unknown time zone '\(identifier)' (use an IANA name such as Asia/Shanghai)")
                    continue
                }
            }
            channels.valid[name] = Channel(name: name, platform: platformName, address: address, timeZone: zone)
        }
        return channels
    }

    private func address(_ fields: Fields, type: String, in what: String) -> Channel.Address? {
        switch type {
        case "dingtalk":
            for key in ["chat", "topic"] where fields[key] != nil {
                reader.error(at: fields.entries[key]?.key, "\(what): '\(key)' is for telegram channels; a dingtalk channel has 'conversation'")
            }
            let given = Self.dingtalkAddressKeys.filter { fields[$0] != nil }
            guard given.count == 1 else {
                if given.isEmpty {
                    reader.error(
                        at: fields.node,
                        "\(what) has no 'conversation' (a group), 'robot_webhook' (a custom robot), 'users' (one-to-one chats) or 'announcements: true'"
                    )
                } else {
                    reader.error(
                        at: fields.entries[given[1]]?.key,
                        "\(what): give one of \(given.map { "'\($0)'" }.joined(separator: ", ")), not several"
                    )
                }
                return nil
            }
            switch given[0] {
            case "robot_webhook":
                return fields["robot_webhook"].flatMap { robotWebhook($0, in: what) }
            case "users":
                return fields["users"].flatMap { users($0, in: what) }
            case "announcements":
                guard let node = fields["announcements"], let on = reader.boolean(node, "\(what): announcements") else { return nil }
                guard on else {
                    reader.error(at: node, "\(what): announcements: false declares nothing; leave the channel out")
                    return nil
                }
                return .announcements
            default:
                // `conversation: private`: every one-to-one chat people have with the robot (staff
                // answering the support desk from theirs).
                return fields["conversation"].flatMap { reader.nonEmptyString($0, "\(what): conversation") }.map {
                    $0 == "private" ? .privateChats : .conversation($0)
                }
            }
        default:
            for key in ["robot_webhook", "users", "announcements"] where fields[key] != nil {
                reader.error(at: fields.entries[key]?.key, "\(what): '\(key)' is for dingtalk channels")
            }
            if fields["conversation"] != nil {
                reader.error(
                    at: fields.entries["conversation"]?.key,
                    "\(what): 'conversation' is for dingtalk channels; a telegram channel has 'chat'"
                )
            }
            guard let node = required(fields, "chat", in: what), let chat = reader.string(node, "\(what): chat") else { return nil }
            // `chat: private`: every private chat with the bot (the support desk's customers).
            if chat == "private" {
                if let topic = fields.entries["topic"] { reader.error(at: topic.key, "\(what): private chats have no topics") }
                return .privateChats
            }
            guard Int64(chat) != nil || Self.isTelegramUsername(chat) else {
                reader.error(at: node, "\(what): chat must be a numeric chat id (-1001234567890), @username or private, found '\(chat)'")
                return nil
            }
            let topic = fields["topic"].flatMap { reader.integer($0, "\(what): topic") }
            if fields["topic"] != nil && topic == nil { return nil }
            return .chat(chat, topic: topic)
        }
    }

    /// `robot_webhook: { access_token(_file): …, secret(_file): SEC… }`: a custom robot to send
    /// through. The secret is optional (a robot secured by keywords or IP alone has none).
    private func robotWebhook(_ node: Node, in what: String) -> Channel.Address? {
        let what = "\(what): robot_webhook"
        guard let fields = reader.fields(node, what, allowed: ["access_token", "access_token_file", "secret", "secret_file", "at"]) else {
            return nil
        }
        let token = secret(fields, "access_token", in: what)
        var signing: Secret?
        if fields["secret"] != nil || fields["secret_file"] != nil {
            signing = secret(fields, "secret", in: what)
            if let value = checkable(signing)?.value, !value.hasPrefix("SEC"), let key = fields["secret"] ?? fields["secret_file"] {
                reader.error(at: key, "\(what): a custom robot's signing secret starts with SEC")
            }
            if signing == nil { return nil }
        }
        var mentions = Channel.Mentions.none
        if let node = fields["at"] {
            guard let parsed = self.mentions(node, in: what) else { return nil }
            mentions = parsed
        }
        guard let token else { return nil }
        return .robotWebhook(accessToken: token, secret: signing, mentions: mentions)
    }

    /// `at: { user_ids: [...], mobiles: [...], all: false }`: whom the robot's messages @-mention.
    private func mentions(_ node: Node, in what: String) -> Channel.Mentions? {
        let what = "\(what): at"
        guard let fields = reader.fields(node, what, allowed: ["user_ids", "mobiles", "all"]) else { return nil }
        var mentions = Channel.Mentions()
        var valid = true
        for (key, path) in [("user_ids", \Channel.Mentions.userIDs), ("mobiles", \Channel.Mentions.mobiles)] {
            guard let node = fields[key] else { continue }
            for (value, item) in reader.stringList(node, "\(what): \(key)") {
                if value.isEmpty || value.contains(where: \.isWhitespace) {
                    reader.error(at: item, "\(what): \(key): '\(value)' is not an id")
                    valid = false
                } else {
                    mentions[keyPath: path].append(value)
                }
            }
        }
        if let node = fields["all"] {
            guard let all = reader.boolean(node, "\(what): all") else { return nil }
            mentions.all = all
        }
        // The platform notifies at most 50 people a message.
        if mentions.userIDs.count + mentions.mobiles.count > 50 {
            reader.error(at: node, "\(what): at most 50 people can be @-mentioned")
            valid = false
        }
        return valid ? mentions : nil
    }

    /// `users: [staffId, …]`: one-to-one chats with the app robot, 1 to 20 people.
    private func users(_ node: Node, in what: String) -> Channel.Address? {
        var ids: [String] = []
        for (id, item) in reader.stringList(node, "\(what): users") {
            guard !id.isEmpty, !id.contains(where: \.isWhitespace) else {
                reader.error(at: item, "\(what): users: '\(id)' is not a DingTalk user id")
                return nil
            }
            if !ids.contains(id) { ids.append(id) }
        }
        guard (1...Self.maxOneToOneUsers).contains(ids.count) else {
            reader.error(
                at: node,
                "\(what): users must name 1 to \(Self.maxOneToOneUsers) people (one batchSend reaches at most \(Self.maxOneToOneUsers)), found \(ids.count)"
            )
            return nil
        }
        return .users(ids)
    }

    /// Telegram usernames: 5–32 of a–z, 0–9 and underscore, after an `@`.
    static func isTelegramUsername(_ text: String) -> Bool {
        guard text.hasPrefix("@") else { return false }
        let name = text.dropFirst()
        return (5...32).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// The routes of one file. `seen` holds the route names of the files before, with where they are.
    func compileRoutes(_ node: Node, channels: Declared<Channel>, checks: Declared<Check>, seen: inout [String: String]) -> [Route] {
        guard let sequence = node.sequence else {
            reader.error(at: node, "routes must be a list of routes")
            return []
        }
        var routes: [Route] = []
        for item in sequence {
            guard let fields = reader.fields(item, "a route", allowed: Self.routeKeys) else { continue }
            guard let nameNode = required(fields, "name", in: "a route"),
                let name = reader.nonEmptyString(nameNode, "route name")
            else { continue }
            let what = "route '\(name)'"
            if let first = seen[name] {
                reader.error(
                    at: nameNode,
                    "\(what) is already defined at \(first); route names must be unique (they name the route in the audit log)"
                )
            } else {
                seen[name] = "\(reader.file):\(nameNode.mark?.line ?? 1):\(nameNode.mark?.column ?? 1)"
            }
            let from = required(fields, "from", in: what).flatMap { channelNames($0, "\(what): from", channels: channels) }
            let to = required(fields, "to", in: what).flatMap { channelNames($0, "\(what): to", channels: channels) }
            for name in from ?? [] {
                guard let address = channels.valid[name]?.address, !address.receives else { continue }
                reader.error(
                    at: fields["from"],
                    "\(what): from: channel '\(name)' is \(address.logDescription), which only sends; nothing arrives from it"
                )
            }
            for name in to ?? [] {
                guard let address = channels.valid[name]?.address, !address.sends else { continue }
                reader.error(
                    at: fields["to"],
                    "\(what): to: channel '\(name)' is the platform's \(address.logDescription), which Gatehouse reads but does not publish"
                )
            }
            if let node = fields["to"], node.sequence?.isEmpty == true {
                reader.error(at: node, "\(what): to must name at least one channel")
            }
            let on = fields["on"].map { verdicts($0, what, checks: checks) } ?? []
            var defaultVerdict = Verdict.forward
            if let node = fields["default"] {
                switch reader.oneOf(node, "\(what): default", as: Verdict.self) {
                case .redact?:
                    reader.error(at: node, "\(what): default: redact has nothing to mask when no check fires; use forward, hold or block")
                case let verdict?:
                    defaultVerdict = verdict
                case nil:
                    break
                }
            }
            var mirror: Set<Envelope.Kind> = []
            if let node = fields["mirror"] {
                for (word, item) in reader.stringList(node, "\(what): mirror") {
                    switch word {
                    case "edit": mirror.insert(.edit)
                    case "delete": mirror.insert(.delete)
                    default:
                        reader.error(
                            at: item,
                            "\(what): mirror: '\(word)' is not edit or delete\(reader.suggestion(for: word, among: ["edit", "delete"]))"
                        )
                    }
                }
            }
            // Said plainly rather than left to be discovered: a mirror no source can trigger.
            if let node = fields["mirror"] {
                if mirror.contains(.delete) {
                    reader.warning(
                        at: node,
                        "\(what): mirror: delete never fires: neither Telegram's Bot API nor DingTalk's robot messages tell a bot that a message was deleted"
                    )
                }
                let readsTelegram = (from ?? []).contains { name in
                    if case .chat = channels.valid[name]?.address { true } else { false }
                }
                if mirror.contains(.edit), !readsTelegram {
                    reader.warning(
                        at: node,
                        "\(what): mirror: edit never fires: the route reads only DingTalk, which does not tell a robot that a message was edited"
                    )
                }
            }
            // A route from announcements is bulk however many destinations it has.
            let fromAnnouncements = (from ?? []).contains { channels.valid[$0]?.address == .announcements }
            var priority: DeliveryPriority? = fromAnnouncements ? .bulk : nil
            if let node = fields["priority"], let chosen = reader.oneOf(node, "\(what): priority", as: DeliveryPriority.self) {
                priority = chosen
            }
            var withdrawn = Route.defaultWithdrawn
            if let node = fields["withdrawn"], let text = reader.nonEmptyString(node, "\(what): withdrawn") { withdrawn = text }
            // `placeholders: { sticker: "", location: "📍 a location" }`: what stands for a kind
            // in place of its label (empty: nothing).
            var placeholders: [ContentKind: String] = [:]
            if let node = fields["placeholders"] {
                for (name, key, value) in reader.namedEntries(node, "\(what): placeholders") {
                    guard let kind = ContentKind(named: name) else {
                        reader.error(
                            at: key,
                            "\(what): placeholders: unknown kind '\(name)'\(reader.suggestion(for: name, among: ContentKind.names)); known: \(ContentKind.names.joined(separator: ", "))"
                        )
                        continue
                    }
                    if let text = reader.string(value, "\(what): placeholders: \(name)") { placeholders[kind] = text }
                }
            }
            let review = reviewRule(fields, what, channels: channels)
            var template = Template.text
            if let node = fields["template"] {
                guard let parsed = self.template(node, what) else { continue }
                template = parsed
            }
            guard let from, let to, let on, review.valid else { continue }
            // `templates: { news: "…", partners: "…" }`: a destination's own template.
            var templates: [String: Template] = [:]
            if let node = fields["templates"] {
                var complete = true
                for (destination, key, value) in reader.namedEntries(node, "\(what): templates") {
                    guard to.contains(destination) else {
                        reader.error(at: key, "\(what): templates: '\(destination)' is not one of the route's destinations")
                        complete = false
                        continue
                    }
                    guard let parsed = self.template(value, "\(what): templates: \(destination)") else {
                        complete = false
                        continue
                    }
                    templates[destination] = parsed
                }
                guard complete else { continue }
            }
            routes.append(
                Route(
                    name: name,
                    from: from,
                    to: to,
                    on: on,
                    defaultVerdict: defaultVerdict,
                    template: template,
                    templates: templates,
                    mirror: mirror,
                    priority: priority,
                    withdrawn: withdrawn,
                    placeholders: placeholders,
                    review: review.rule
                )
            )
        }
        return routes
    }

    /// `on: { check: verdict, … }` in file order, or nil when any entry is wrong.
    private func verdicts(_ node: Node, _ what: String, checks: Declared<Check>) -> [(check: String, verdict: Verdict)]? {
        guard let mapping = node.mapping else {
            reader.error(
                at: node,
                "\(what): on must map check names to verdicts (pii: redact), found \(node.scalar != nil ? "'\(node.scalar?.string ?? "")'" : "a list")"
            )
            return nil
        }
        var result: [(check: String, verdict: Verdict)] = []
        var complete = true
        for (key, value) in mapping {
            guard let check = reader.string(key, "\(what): on: a check name") else {
                complete = false
                continue
            }
            if !checks.isDeclared(check) {
                complete = false
                if checks.complete {
                    reader.error(at: key, "\(what): on: no check named '\(check)'\(reader.suggestion(for: check, among: Array(checks.names.keys)))")
                }
            } else if checks.valid[check] == nil {
                complete = false
            }
            guard let verdict = reader.oneOf(value, "\(what): on: \(check)", as: Verdict.self) else {
                complete = false
                continue
            }
            // Fail closed: a redact that cannot mask would forward the message as it is.
            if verdict == .redact, let compiled = checks.valid[check], !compiled.canRedact {
                let detectors = compiled.unmaskableDetectors.map { "'\($0)'" }.joined(separator: ", ")
                reader.error(
                    at: value,
                    "\(what): on: \(check): redact cannot apply, check '\(check)' has \(detectors), which judge the message as a whole and leave nothing to mask; use hold or block"
                )
                complete = false
                continue
            }
            result.append((check, verdict))
        }
        return complete ? result : nil
    }

    /// The channel names a `from` or `to` lists, or nil when any of them is not a valid channel
    /// (a route is loaded whole or not at all).
    private func channelNames(_ node: Node, _ what: String, channels: Declared<Channel>) -> [String]? {
        var names: [String] = []
        var complete = node.scalar != nil || node.sequence != nil
        for (name, item) in reader.stringList(node, what) {
            if !channels.isDeclared(name) {
                complete = false
                guard channels.complete else { continue }
                reader.error(at: item, "\(what): no channel named '\(name)'\(reader.suggestion(for: name, among: Array(channels.names.keys)))")
            } else if channels.valid[name] == nil {
                complete = false
            } else if !names.contains(name) {
                names.append(name)
            }
        }
        return complete && !names.isEmpty ? names : nil
    }

    func template(_ node: Node, _ what: String) -> Template? {
        guard let source = reader.string(node, "\(what): template") else { return nil }
        do {
            return try Template(parsing: source)
        } catch {
            // Point at the offending character when the scalar sits on one line as written.
            let message = "\(what): template: \(error.message)"
            if let start = node.mark, let style = node.scalar?.style, !source.contains("\n"),
                style == .plain || style == .singleQuoted && !source.contains("'")
                    || style == .doubleQuoted && !source.contains("\\") && !source.contains("\"")
            {
                reader.error(line: start.line, column: start.column + error.offset + (style == .plain ? 0 : 1), message)
            } else {
                reader.error(at: node, message)
            }
            return nil
        }
    }
}
