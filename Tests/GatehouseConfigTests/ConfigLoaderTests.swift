import Foundation
import GatehouseConfig
import GatehouseCore
import Testing

@Suite struct ConfigLoaderTests {
    static let valid = """
        state: ./st
        platforms:
          corp:
            type: dingtalk
            side: internal
            client_id: dingabc
            client_secret: s3cr3t
          outreach:
            type: telegram
            side: external
            token: "123:abc"
        channels:
          all-hands: { platform: corp, conversation: "cidAAA==" }
          news: { platform: outreach, chat: "@acme_news" }
          partners: { platform: outreach, chat: -1001234567890, topic: 42 }
        routes:
          - name: announcements
            from: all-hands
            to: [news, partners]
            template: "📢 {text} — {sender.name}"
        """

    func load(_ yaml: String, environment: [String: String] = [:]) throws(ConfigError) -> GatewayConfig {
        try ConfigLoader(environment: environment).load(yaml: yaml, file: "/etc/gatehouse/g.yaml")
    }

    func diagnostics(_ yaml: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try load(yaml, environment: environment)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func compilesAValidConfig() throws {
        let config = try load(Self.valid)
        #expect(config.state == "/etc/gatehouse/st")
        #expect(config.channels["partners"]?.address == .chat("-1001234567890", topic: 42))
        #expect(config.channels["all-hands"]?.address == .conversation("cidAAA=="))
        #expect(config.routes.map(\.name) == ["announcements"])
        #expect(config.routes.first?.to == ["news", "partners"])
        #expect(config.platforms["corp"]?.side == .internal)
        guard case .dingtalk(let corp) = config.platforms["corp"]?.settings else {
            Issue.record("corp is not dingtalk")
            return
        }
        #expect(corp.robotCode == "dingabc")
        #expect(corp.apiURL == "https://api.dingtalk.com")
        #expect(corp.clientSecret.value == "s3cr3t")
        #expect(config.revision.count == 64)
        #expect(
            config.gate.crossings(
                for: Envelope(
                    origin: .init(platform: "corp", conversation: "cidAAA==", messageID: "m", eventID: "m"),
                    sender: .init(id: "u", name: "Ada"),
                    body: .init(text: "hi"),
                    time: .now
                )
            ).map(\.text) == ["📢 hi — Ada", "📢 hi — Ada"]
        )
    }

    @Test func aMisspelledKeyIsReportedAtItsLineAndColumnWithASuggestion() {
        let yaml = Self.valid.replacingOccurrences(of: "    template:", with: "    tempalte:")
        #expect(
            diagnostics(yaml) == [
                "/etc/gatehouse/g.yaml:20:5: error: unknown key 'tempalte' in a route (did you mean 'template'?)"
            ]
        )
    }

    @Test func everyProblemIsReportedInOneRun() {
        let yaml = """
            platforms:
              corp:
                type: dingtalk
                side: inside
                client_id: dingabc
                client_secret: x
                recieve: stream
              tg:
                type: telegramm
                side: external
            channels:
              a: { platform: corp, conversation: "cid" }
              b: { platform: corpp, conversation: "cid2" }
              c: { platform: corp, chat: 5 }
            routes:
              - name: r
                from: a
                to: [news]
                template: "{text} {sender.nam}"
              - name: r
                from: [a]
                to: x
            """
        #expect(
            diagnostics(yaml) == [
                "/etc/gatehouse/g.yaml:7:5: error: unknown key 'recieve' in platform 'corp' (did you mean 'receive'?)",
                "/etc/gatehouse/g.yaml:4:11: error: platform 'corp': side must be one of internal, external, found 'inside'",
                "/etc/gatehouse/g.yaml:9:11: error: platform 'tg': type must be one of dingtalk, telegram, found 'telegramm' (did you mean 'telegram'?)",
                "/etc/gatehouse/g.yaml:13:18: error: channel 'b': no platform named 'corpp' (did you mean 'corp'?)",
                "/etc/gatehouse/g.yaml:14:24: error: channel 'c': 'chat' is for telegram channels; a dingtalk channel has 'conversation'",
                "/etc/gatehouse/g.yaml:14:6: error: channel 'c' has no 'conversation' (a group), 'robot_webhook' (a custom robot), 'users' (one-to-one chats) or 'announcements: true'",
                "/etc/gatehouse/g.yaml:18:10: error: route 'r': to: no channel named 'news'",
                "/etc/gatehouse/g.yaml:19:23: error: route 'r': template: unknown template variable '{sender.nam}'; known: {text}, {sender.name}, {sender.dept}, {sender.id}, {channel}, {route}, {platform}, {ticket}, {time}",
                "/etc/gatehouse/g.yaml:20:11: error: route 'r' is already defined at /etc/gatehouse/g.yaml:16:11; route names must be unique (they name the route in the audit log)",
                "/etc/gatehouse/g.yaml:22:9: error: route 'r': to: no channel named 'x'",
            ]
        )
    }

    @Test func aMisspelledSectionIsOneErrorNotOnePerReference() {
        let yaml = Self.valid
            .replacingOccurrences(of: "channels:", with: "chanels:")
            .replacingOccurrences(of: "    template:", with: "    tempalte:")
        #expect(
            diagnostics(yaml) == [
                "/etc/gatehouse/g.yaml:12:1: error: unknown key 'chanels' in the config (did you mean 'channels'?)",
                "/etc/gatehouse/g.yaml:20:5: error: unknown key 'tempalte' in a route (did you mean 'template'?)",
            ]
        )
    }

    @Test func wrongTypesAreErrors() {
        let yaml = Self.valid
            .replacingOccurrences(of: "platforms:\n  corp:", with: "platforms:\n  corp:")
            .replacingOccurrences(of: "to: [news, partners]", with: "to: { news: 1 }")
            .replacingOccurrences(of: "topic: 42", with: "topic: forty-two")
        #expect(
            diagnostics(yaml) == [
                "/etc/gatehouse/g.yaml:15:64: error: channel 'partners': topic must be an integer, found 'forty-two'",
                "/etc/gatehouse/g.yaml:19:9: error: route 'announcements': to must be a name or a list of names, found a mapping",
            ]
        )
    }

    @Test func syntaxErrorsAreLocated() {
        let problems = diagnostics("platforms:\n  corp: [\n")
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("/etc/gatehouse/g.yaml:3:1: error: YAML:") == true)
        #expect(diagnostics("a: 1\na: 2\n").first?.contains("duplicate key 'a'") == true)
    }

    @Test func secretsAreReadFromFilesInTheCredentialsDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gh-creds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "123:from-file\n".write(toFile: directory + "/tg", atomically: true, encoding: .utf8)
        let yaml = Self.valid.replacingOccurrences(of: "token: \"123:abc\"", with: "token_file: $CREDENTIALS_DIRECTORY/tg")
        let config = try load(yaml, environment: ["CREDENTIALS_DIRECTORY": directory])
        guard case .telegram(let telegram) = config.platforms["outreach"]?.settings else {
            Issue.record("outreach is not telegram")
            return
        }
        #expect(telegram.token.value == "123:from-file")
        #expect("\(telegram.token)" == "<redacted>")

        let unset = diagnostics(yaml)
        #expect(
            unset == [
                "/etc/gatehouse/g.yaml:11:17: error: platform 'outreach': token_file uses $CREDENTIALS_DIRECTORY, which is not set (systemd sets it with LoadCredential=)"
            ]
        )
        let missing = diagnostics(yaml.replacingOccurrences(of: "/tg", with: "/nope"), environment: ["CREDENTIALS_DIRECTORY": directory])
        #expect(missing == ["/etc/gatehouse/g.yaml:11:17: error: platform 'outreach': cannot read token_file '\(directory)/nope'"])
        let both = diagnostics(
            yaml.replacingOccurrences(of: "    token_file:", with: "    token: x\n    token_file:"),
            environment: ["CREDENTIALS_DIRECTORY": directory]
        )
        #expect(both == ["/etc/gatehouse/g.yaml:12:5: error: platform 'outreach': give either 'token' or 'token_file', not both"])
    }

    @Test func errorsNeverContainASecret() {
        let yaml = Self.valid.replacingOccurrences(of: "client_secret: s3cr3t", with: "client_secret: s3cr3t\n    bogus: 1")
        let problems = diagnostics(yaml)
        #expect(problems.count == 1)
        #expect(!problems.joined().contains("s3cr3t"))
    }

    @Test func theReferenceAndDemoConfigsAreValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let credentials = FileManager.default.temporaryDirectory.appendingPathComponent("gh-ref-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: credentials) }
        for name in ["telegram-token", "dingtalk-secret", "alerts-token"] {
            try "placeholder-credential".write(toFile: "\(credentials)/\(name)", atomically: true, encoding: .utf8)
        }
        try "SECplaceholder".write(toFile: "\(credentials)/alerts-secret", atomically: true, encoding: .utf8)
        try "PRIVATE+KEY+placeholder".write(toFile: "\(credentials)/audit-key", atomically: true, encoding: .utf8)
        let loader = ConfigLoader(environment: ["CREDENTIALS_DIRECTORY": credentials])
        let reference = try loader.load(file: root.appendingPathComponent("Config/gatehouse.yaml").path)
        #expect(reference.routes.map(\.name) == ["announcements", "bulletins", "customers-in", "after-hours-alerts"])
        let demo = try loader.load(file: root.appendingPathComponent("Config/demo.yaml").path)
        #expect(demo.routes.map(\.name) == ["announcements", "bulletins", "customers-in", "desk-in", "desk-out"])
    }
}
