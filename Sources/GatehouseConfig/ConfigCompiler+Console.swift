import Foundation
import GatehouseCore
import Yams

extension ConfigCompiler {
    static let consoleKeys = ["url", "sign_in", "session", "idle", "roles"]

    /// `console: { url: URL, sign_in: PLATFORM, session: 8h, idle: 30m, roles: { admin: […], reviewer: […], viewer: […] } }`.
    func compileConsole(_ node: Node, platforms: Declared<PlatformConfig>) -> GatewayConfig.Console? {
        guard let fields = reader.fields(node, "console", allowed: Self.consoleKeys) else { return nil }
        var complete = true
        let address = required(fields, "url", in: "console").flatMap { _ in url(fields, "url", in: "console", default: "") }
        if let address, let node = fields["url"], address.lowercased().hasPrefix("http://"), !Self.isLoopback(address) {
            reader.warning(
                at: node,
                "console: url is http://: sessions and sign-in would cross the network in the clear; serve the console behind https (a reverse proxy) and give its https:// address"
            )
        }
        var signIn: String?
        if let platformNode = required(fields, "sign_in", in: "console"),
            let platform = reader.nonEmptyString(platformNode, "console: sign_in")
        {
            if let type = platforms.names[platform] {
                if type == "dingtalk" || type == nil {
                    signIn = platform
                } else {
                    reader.error(at: platformNode, "console: sign_in: platform '\(platform)' is \(type ?? "?"); people sign in with a DingTalk app")
                }
            } else {
                reader.error(
                    at: platformNode,
                    "console: sign_in: no platform named '\(platform)'\(reader.suggestion(for: platform, among: Array(platforms.names.keys)))"
                )
            }
        }
        var roles: [ConsoleRole: [Reviewer]] = [:]
        if let rolesNode = required(fields, "roles", in: "console"),
            let roleFields = reader.fields(rolesNode, "console: roles", allowed: ConsoleRole.allCases.map(\.rawValue))
        {
            for role in ConsoleRole.allCases {
                guard let list = roleFields[role.rawValue] else { continue }
                roles[role] = consoleRoleList(list, "console: roles: \(role.rawValue)", complete: &complete)
            }
            if roles.values.allSatisfy(\.isEmpty), complete {
                reader.error(
                    at: rolesNode,
                    "console: roles names nobody: give at least one of admin, reviewer, viewer a list of staff:ID or department:NAME"
                )
                complete = false
            }
        }
        var console = GatewayConfig.Console(url: address ?? "", signIn: signIn ?? "", roles: roles)
        for (key, minimum) in [("session", Duration.seconds(60)), ("idle", Duration.seconds(60))] {
            guard let node = fields[key] else { continue }
            guard let value = duration(node, "console: \(key)") else {
                complete = false
                continue
            }
            guard value >= minimum, value <= .seconds(7 * 86_400) else {
                reader.error(at: node, "console: \(key) must be between 1m and 7d")
                complete = false
                continue
            }
            if key == "session" { console.session = value } else { console.idle = value }
        }
        if console.idle > console.session, let node = fields["idle"] {
            reader.error(at: node, "console: idle must not be longer than session")
            complete = false
        }
        guard complete, address != nil, signIn != nil, fields["roles"] != nil else { return nil }
        return console
    }

    private func consoleRoleList(_ node: Node, _ what: String, complete: inout Bool) -> [Reviewer] {
        let entries = reader.stringList(node, what)
        if entries.count > Self.maxReviewers {
            reader.error(at: node, "\(what) names \(entries.count) entries; at most \(Self.maxReviewers)")
            complete = false
        }
        var people: [Reviewer] = []
        for (text, item) in entries {
            switch Reviewer(parsing: text) {
            case .staff(let id)?: people.append(.staff(id))
            case .department(let name)?: people.append(.department(name))
            case .unixGroup?:
                reader.error(at: item, "\(what): '\(text)': people sign in to the console with DingTalk; a Unix group is for the admin socket")
                complete = false
            case nil:
                reader.error(at: item, "\(what): '\(text)' is not staff:ID or department:NAME")
                complete = false
            }
        }
        return people
    }

    /// Whether a URL's host is this machine (where plain http does not cross a network).
    static func isLoopback(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
