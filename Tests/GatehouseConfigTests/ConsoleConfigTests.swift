import Foundation
import GatehouseConfig
import GatehouseCore
import Testing

/// `listen.console` and the `console:` section: where the web console listens, whose DingTalk
/// app signs people in, and who has which role; every mistake named where it is.
@Suite struct ConsoleConfigTests {
    static func yaml(_ console: String, listen: String = "listen: { http: \"127.0.0.1:8080\", console: \"127.0.0.1:8443\" }") -> String {
        RulesConfigTests.base + listen + "\n" + console + "\nroutes:\n  - { name: r, from: all-hands, to: [news] }\n"
    }

    static let valid = """
        console:
          url: https://gatehouse.example.com/
          sign_in: corp
          session: 4h
          idle: 20m
          roles:
            admin: [staff:manager01]
            reviewer: [department:合规部]
            viewer: [department:审计部, staff:auditor7]
        """

    func diagnostics(_ yaml: String) -> [String] {
        do {
            _ = try ConfigLoader(environment: [:]).load(yaml: yaml, file: "/etc/gatehouse/g.yaml")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func compilesTheConsoleAndJudgesRolesByStaffIdAndDepartment() throws {
        let config = try ConfigLoader(environment: [:]).load(yaml: Self.yaml(Self.valid), file: "/etc/gatehouse/g.yaml")
        #expect(config.listen.console == "127.0.0.1:8443")
        let console = try #require(config.console)
        #expect(console.url == "https://gatehouse.example.com" && console.signIn == "corp" && console.isSecure)
        #expect(console.session == .seconds(4 * 3600) && console.idle == .seconds(20 * 60))
        #expect(console.roles[.viewer] == [.department("审计部"), .staff("auditor7")])
        func person(_ id: String, _ departments: [String] = []) -> ReviewerIdentity {
            ReviewerIdentity(via: .dingtalk, id: id, departments: departments)
        }
        #expect(console.role(of: person("manager01", ["审计部"])) == .admin)
        #expect(console.role(of: person("someone", ["合规部"])) == .reviewer)
        #expect(console.role(of: person("auditor7")) == .viewer)
        #expect(console.role(of: person("stranger", ["销售部"])) == nil)
        #expect(ConsoleRole.admin > .reviewer && ConsoleRole.reviewer > .viewer)
    }

    @Test(arguments: [
        (
            "console:\n  url: https://g.example\n  sign_in: tg\n  roles: { admin: [staff:a] }",
            "10:12: error: console: sign_in: platform 'tg' is telegram; people sign in with a DingTalk app"
        ),
        (
            "console:\n  url: https://g.example\n  sign_in: crop\n  roles: { admin: [staff:a] }",
            "10:12: error: console: sign_in: no platform named 'crop'"
        ),
        (
            "console:\n  url: https://g.example\n  sign_in: corp\n  roles: { admin: [group:wheel] }",
            "11:20: error: console: roles: admin: 'group:wheel': people sign in to the console with DingTalk; a Unix group is for the admin socket"
        ),
        (
            "console:\n  url: https://g.example\n  sign_in: corp\n  roles: { owner: [staff:a] }",
            "11:12: error: unknown key 'owner' in console: roles"
        ),
        (
            "console:\n  url: https://g.example\n  sign_in: corp\n  roles: { admin: [] }",
            "11:10: error: console: roles names nobody: give at least one of admin, reviewer, viewer a list of staff:ID or department:NAME"
        ),
        (
            "console:\n  url: gatehouse.example\n  sign_in: corp\n  roles: { admin: [staff:a] }",
            "9:8: error: console: url must be an http:// or https:// URL, found 'gatehouse.example'"
        ),
        (
            "console:\n  url: https://g.example\n  sign_in: corp\n  idle: 9h\n  roles: { admin: [staff:a] }",
            "11:9: error: console: idle must not be longer than session"
        ),
        (
            "console:\n  sign_in: corp\n  roles: { admin: [staff:a] }",
            "9:3: error: console has no 'url'"
        ),
    ])
    func namesEachMistakeWhereItIs(console: String, expected: String) {
        let found = diagnostics(Self.yaml(console))
        #expect(found.contains { $0.hasSuffix(expected) }, "\(found)")
    }

    @Test func theConsoleNeedsItsSectionItsListenerAndNeverSharesTheHooksListener() {
        #expect(diagnostics(Self.yaml("")).contains { $0.contains("listen.console is set, but the config has no 'console:' section") })
        // A console section without its listener is kept, and said to be off.
        let off = try? ConfigLoader(environment: [:]).load(
            yaml: Self.yaml(Self.valid, listen: "listen: { http: \"127.0.0.1:8080\" }"),
            file: "/g.yaml"
        )
        #expect(off?.console != nil && off?.listen.console == nil)
        #expect(off?.warnings.contains { $0.description.contains("console: the console is off") } == true)
        #expect(
            diagnostics(Self.yaml(Self.valid, listen: "listen: { http: \"127.0.0.1:8080\", console: \"127.0.0.1:8080\" }")).contains {
                $0.contains("listen.console must differ from listen.http")
            }
        )
    }

    @Test func plainHttpIsWarnedAboutUnlessOnThisMachine() throws {
        let remote = try ConfigLoader(environment: [:]).load(
            yaml: Self.yaml(Self.valid.replacingOccurrences(of: "https://gatehouse.example.com/", with: "http://gatehouse.example.com")),
            file: "/etc/gatehouse/g.yaml"
        )
        #expect(remote.warnings.contains { $0.description.contains("console: url is http://") })
        #expect(remote.console?.isSecure == false)
        let local = try ConfigLoader(environment: [:]).load(
            yaml: Self.yaml(Self.valid.replacingOccurrences(of: "https://gatehouse.example.com/", with: "http://127.0.0.1:8443")),
            file: "/etc/gatehouse/g.yaml"
        )
        #expect(local.warnings.isEmpty)
    }
}
