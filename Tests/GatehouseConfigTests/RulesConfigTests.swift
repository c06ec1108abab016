import Foundation
import GatehouseConfig
import GatehouseCore
import Testing

@Suite struct RulesConfigTests {
    static let base = """
        platforms:
          corp: { type: dingtalk, side: internal, client_id: d, client_secret: s }
          tg: { type: telegram, side: external, token: "1:x" }
        channels:
          all-hands: { platform: corp, conversation: cidA }
          news: { platform: tg, chat: -1001 }

        """

    func diagnostics(_ yaml: String, file: String = "/etc/gatehouse/g.yaml") -> [String] {
        do {
            _ = try ConfigLoader(environment: [:]).load(yaml: yaml, file: file)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func compilesChecksAndRoutes() throws {
        let config = try ConfigLoader(environment: [:]).load(
            yaml: Self.base + """
                checks:
                  pii: { detect: [cn_mobile, email] }
                  words: { keywords: [机密, secret] }
                  tickets: { regex: ['INC-\\d+'] }
                  links: { links: { allow: ["*.acme.example"] } }
                  files: { attachments: { max_bytes: 1MB, types: [pdf] } }
                  hours: { outside: { days: mon-fri, hours: "09:00-18:00", tz: Asia/Shanghai } }
                  big: { size: { max_chars: 10 } }
                  who: { senders: { deny: [u9] } }
                routes:
                  - name: out
                    from: all-hands
                    to: news
                    on: { words: hold, pii: redact, links: block, files: hold, hours: hold, big: hold, who: block, tickets: forward }
                    default: forward
                    mirror: [edit]
                """,
            file: "g.yaml"
        )
        let route = try #require(config.routes.first)
        #expect(route.on.map(\.check) == ["words", "pii", "links", "files", "hours", "big", "who", "tickets"])
        #expect(route.on.map(\.verdict) == [.hold, .redact, .block, .hold, .hold, .hold, .block, .forward])
        #expect(route.mirror == [.edit])
        #expect(config.checks["pii"]?.detectors.map(\.name) == ["cn_mobile", "email"])
        #expect(config.checks["hours"]?.messageDetectors.map(\.name) == ["outside"])
        let crossing = try #require(
            config.gate.crossings(
                for: Envelope(
                    origin: .init(platform: "corp", conversation: "cidA", messageID: "m", eventID: "m"),
                    sender: .init(id: "u1", name: "Ada"),
                    body: .init(text: "ping 13812345678"),
                    time: try Date("2026-11-23T10:00:00+08:00", strategy: .iso8601)
                )
            ).first
        )
        #expect(crossing.verdict == .hold)  // `big`: more than 10 characters
        #expect(crossing.text == "ping [REDACTED:cn_mobile]")
    }

    @Test(arguments: [
        (
            "  pii: { detect: [cn_mobil] }",
            "8:19: error: check 'pii': unknown detector 'cn_mobil' (did you mean 'cn_mobile'?); known: cn_resident_id, cn_mobile, bank_card, uscc, iban, email, ipv4_private, private_key, api_token"
        ),
        ("  t: { regex: ['([a-z'] }", "8:16: error: check 't': invalid regular expression '([a-z'"),
        (
            "  h: { outside: { tz: Mars/Base } }",
            "8:23: error: check 'h': outside: unknown time zone 'Mars/Base' (use an IANA name such as Asia/Shanghai)"
        ),
        ("  h: { outside: { hours: '9-18' } }", "8:26: error: check 'h': outside: hours must be HH:MM-HH:MM with different ends, found '9-18'"),
        ("  h: { outside: { days: mon-fry } }", "8:25: error: check 'h': outside: days must be day names like mon-fri or sat,sun, found 'mon-fry'"),
        (
            "  f: { attachments: { max_bytes: 10 MiBs } }",
            "8:34: error: check 'f': attachments: max_bytes must be a size like 4096, 512KB or 10MB, found '10 MIBS'"
        ),
        ("  k: { keywords: [] }", "8:6: error: check 'k': keywords and keyword_files name no keyword"),
        ("  k: { keyword_files: [nope.txt] }", "8:24: error: check 'k': cannot read keyword file '/etc/gatehouse/nope.txt'"),
        (
            "  e: {}",
            "8:6: error: check 'e' checks nothing; give it one of detect, keywords, keyword_files, regex, links, attachments, outside, size, senders, labels, kinds"
        ),
        (
            "  s: { kinds: [stikcer] }",
            "8:16: error: check 's': kinds: unknown kind 'stikcer' (did you mean 'sticker'?); known: \(ContentKind.names.joined(separator: ", "))"
        ),
        ("  s: { kinds: [] }", "8:15: error: check 's': kinds must name at least one kind (\(ContentKind.names.joined(separator: ", ")))"),
        ("  x: { detect: [email], regexp: ['a'] }", "8:25: error: unknown key 'regexp' in check 'x' (did you mean 'regex'?)"),
    ])
    func aBadCheckIsReportedWhereItIs(check: String, expected: String) {
        let yaml = Self.base + "checks:\n" + check + "\nroutes: []\n"
        #expect(diagnostics(yaml) == ["/etc/gatehouse/g.yaml:" + expected])
    }

    @Test(arguments: [
        ("on: { pi: redact }", "13:11: error: route 'r': on: no check named 'pi' (did you mean 'pii'?)"),
        (
            "on: { pii: redacted }",
            "13:16: error: route 'r': on: pii must be one of forward, redact, hold, block, found 'redacted' (did you mean 'redact'?)"
        ),
        ("on: [pii]", "13:9: error: route 'r': on must map check names to verdicts (pii: redact), found a list"),
        ("default: redact", "13:14: error: route 'r': default: redact has nothing to mask when no check fires; use forward, hold or block"),
        ("default: allow", "13:14: error: route 'r': default must be one of forward, redact, hold, block, found 'allow'"),
        ("mirror: [edits]", "13:14: error: route 'r': mirror: 'edits' is not edit or delete (did you mean 'edit'?)"),
        (
            "template: '{time@Nowhere/City}'",
            "13:16: error: route 'r': template: in '{time@Nowhere/City}': unknown time zone 'Nowhere/City' (use an IANA name such as Asia/Shanghai)"
        ),
    ])
    func aBadRouteIsReportedWhereItIs(line: String, expected: String) {
        let yaml =
            Self.base + """
                checks:
                  pii: { detect: [email] }
                routes:
                  - name: r
                    from: all-hands
                    to: [news]
                    \(line)
                """
        #expect(diagnostics(yaml) == ["/etc/gatehouse/g.yaml:" + expected])
    }

    @Test func aBrokenCheckIsReportedOnceNotByEveryRouteUsingIt() {
        let yaml =
            Self.base + """
                checks:
                  pii: { detect: [nope] }
                routes:
                  - { name: a, from: all-hands, to: [news], on: { pii: redact } }
                  - { name: b, from: all-hands, to: [news], on: { pii: block } }
                """
        #expect(diagnostics(yaml).count == 1)
    }

    @Test func includedFilesAddDefinitionsAndAreBlamedForTheirOwnErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gh-include-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/routes.d", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        checks:
          words: { keyword_files: [../words.txt] }
        routes:
          - { name: included, from: all-hands, to: [news], on: { words: hold } }
        """.write(toFile: directory + "/routes.d/10-words.yaml", atomically: true, encoding: .utf8)
        try "# comment\n机密\n\n  secret  \n".write(toFile: directory + "/words.txt", atomically: true, encoding: .utf8)
        let main = Self.base + "include: [routes.d/*.yaml]\nroutes:\n  - { name: main, from: all-hands, to: [news] }\n"
        let config = try ConfigLoader(environment: [:]).load(yaml: main, file: directory + "/g.yaml")
        #expect(config.routes.map(\.name) == ["main", "included"])
        let held = config.gate.crossings(
            for: Envelope(
                origin: .init(platform: "corp", conversation: "cidA", messageID: "m", eventID: "m"),
                sender: .init(id: "u", name: "A"),
                body: .init(text: "a SECRET plan"),
                time: .now
            )
        )
        #expect(held.map(\.verdict) == [.forward, .hold])
        let single = try ConfigLoader(environment: [:]).load(yaml: Self.base, file: directory + "/g.yaml")
        #expect(config.revision != single.revision)

        // A second definition of a name, and a typo, each reported in the file where it is.
        try """
        channels:
          news: { platform: tg, chat: -1002 }
        routes:
          - { name: main, from: all-hands, to: [newz] }
        """.write(toFile: directory + "/routes.d/20-bad.yaml", atomically: true, encoding: .utf8)
        #expect(
            diagnostics(main, file: directory + "/g.yaml") == [
                "\(directory)/routes.d/20-bad.yaml:2:3: error: channel 'news' is already defined at \(directory)/g.yaml:6:3",
                "\(directory)/routes.d/20-bad.yaml:4:13: error: route 'main' is already defined at \(directory)/g.yaml:9:13; route names must be unique (they name the route in the audit log)",
                "\(directory)/routes.d/20-bad.yaml:4:41: error: route 'main': to: no channel named 'newz' (did you mean 'news'?)",
            ]
        )
        #expect(
            diagnostics(Self.base + "include: [missing.yaml]\n", file: directory + "/g.yaml") == [
                "\(directory)/g.yaml:7:11: error: include: no file 'missing.yaml'"
            ]
        )
    }

    @Test func everyConfigShippedInTheRepositoryIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let configDirectory = root.appendingPathComponent("Config")
        let credentials = FileManager.default.temporaryDirectory.appendingPathComponent("gh-creds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: credentials) }
        let files = try #require(FileManager.default.enumerator(atPath: configDirectory.path)?.compactMap { $0 as? String })
            .filter { $0.hasSuffix(".yaml") && !$0.hasPrefix("routes.d/") }
        #expect(files.count >= 5)
        for file in files {
            let path = configDirectory.appendingPathComponent(file).path
            // Whatever credentials a file reads, give it a placeholder.
            let text = try String(contentsOfFile: path, encoding: .utf8)
            for match in text.matches(of: /\$CREDENTIALS_DIRECTORY\/([A-Za-z0-9_.-]+)/) {
                // Robot signing secrets start with SEC; an audit key is a note key.
                let placeholder =
                    match.1.contains("audit") ? "PRIVATE+KEY+placeholder" : match.1.contains("secret") ? "SECplaceholder" : "placeholder-credential"
                try placeholder.write(toFile: "\(credentials)/\(match.1)", atomically: true, encoding: .utf8)
            }
            do {
                _ = try ConfigLoader(environment: ["CREDENTIALS_DIRECTORY": credentials]).load(file: path)
            } catch {
                Issue.record("\(file) does not validate:\n\(error)")
            }
        }
    }
}

@Suite struct AuditConfigTests {
    func load(_ audit: String, key: String = "PRIVATE+KEY+acme.example/gatehouse+12345678+AQ==") throws -> (GatewayConfig.Audit?, [String]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gh-audit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try key.write(toFile: directory + "/audit-key", atomically: true, encoding: .utf8)
        let yaml = "audit:\n" + audit + "\n" + RulesConfigTests.base
        do {
            return (try ConfigLoader(environment: ["CREDENTIALS_DIRECTORY": directory]).load(yaml: yaml, file: "g.yaml").audit, [])
        } catch {
            return (nil, error.diagnostics.map(\.description))
        }
    }

    @Test func readsTheSectionWithDefaults() throws {
        let (audit, problems) = try load("  origin: acme.example/gatehouse\n  signing_key_file: $CREDENTIALS_DIRECTORY/audit-key")
        #expect(problems.isEmpty)
        #expect(audit?.origin == "acme.example/gatehouse")
        #expect(audit?.checkpointEvery == .seconds(60) && audit?.checkpointRecords == 1000)
        // Bodies are kept until the operator writes down a retention period.
        #expect(audit?.keepContent == nil)
        #expect("\(audit?.signingKey as Any)".contains("redacted"))
    }

    @Test func readsWhetherToRecordUnroutedMessagesAndHowOftenToSumUp() throws {
        let (audit, problems) = try load(
            "  origin: acme.example/gatehouse\n  signing_key_file: $CREDENTIALS_DIRECTORY/audit-key\n  record_unrouted: true\n  summary_every: 5m"
        )
        #expect(problems.isEmpty)
        #expect(audit?.recordUnrouted == true && audit?.summaryEvery == .seconds(300))
        let (defaults, _) = try load("  origin: acme.example/gatehouse\n  signing_key_file: $CREDENTIALS_DIRECTORY/audit-key")
        #expect(defaults?.recordUnrouted == false && defaults?.summaryEvery == .seconds(60))
        #expect(
            try load("  origin: o\n  signing_key_file: $CREDENTIALS_DIRECTORY/audit-key\n  summary_every: 10ms").1
                == ["g.yaml:4:18: error: audit: summary_every must be at least 1s"]
        )
    }

    @Test func refusesWhatWouldLeaveTheLogUnsigned() throws {
        #expect(
            try load("  origin: a b\n  signing_key_file: $CREDENTIALS_DIRECTORY/audit-key").1
                == ["g.yaml:2:11: error: audit: origin must not contain spaces or '+' (it names the signing key too)"]
        )
        #expect(
            try load("  origin: o\n  signing_key_file: $CREDENTIALS_DIRECTORY/audit-key", key: "hello").1
                == [
                    "g.yaml:3:21: error: audit: signing_key_file does not hold a note signing key (PRIVATE+KEY+…); create one with gatehouse audit keygen"
                ]
        )
        #expect(try load("  origin: o\n  signing_key: PRIVATE+KEY+x").1.first?.contains("unknown key 'signing_key' in audit") == true)
        #expect(
            try load("  origin: o\n  signing_key_file: $CREDENTIALS_DIRECTORY/audit-key\n  checkpoint_every: 0s").1
                == ["g.yaml:4:21: error: audit: checkpoint_every must be at least 1s"]
        )
    }

    @Test func readsTheRetentionPeriod() throws {
        let keys = "  origin: o\n  signing_key_file: $CREDENTIALS_DIRECTORY/audit-key\n"
        #expect(try load(keys + "  keep_content: 400d").0?.keepContent == .seconds(400 * 86_400))
        #expect(
            try load(keys + "  keep_content: forever").1
                == ["g.yaml:4:17: error: audit: keep_content must be a duration like 500ms, 30s, 5m, 2h or 400d, found 'forever'"]
        )
        #expect(try load(keys + "  keep_content: 0s").1 == ["g.yaml:4:17: error: audit: keep_content must be at least 1s"])
    }
}

@Suite struct OutboxConfigTests {
    func load(_ outbox: String?) -> (GatewayConfig?, [String]) {
        let yaml = (outbox.map { "outbox:\n" + $0 + "\n" } ?? "") + RulesConfigTests.base
        do {
            return (try ConfigLoader(environment: [:]).load(yaml: yaml, file: "g.yaml"), [])
        } catch {
            return (nil, error.diagnostics.map(\.description))
        }
    }

    @Test func defaultsAreTheDocumentedOnes() throws {
        let outbox = try #require(load(nil).0).outbox
        #expect(outbox.retryMinimum == .seconds(1) && outbox.retryMaximum == .seconds(300))
        #expect(outbox.maxAge == .seconds(86_400) && outbox.maxActive == 64)
    }

    @Test func readsEveryKey() throws {
        let outbox = try #require(load("  retry_min: 500ms\n  retry_max: 2m\n  max_age: 6h\n  max_active: 8").0).outbox
        #expect(outbox.retryMinimum == .milliseconds(500) && outbox.retryMaximum == .seconds(120))
        #expect(outbox.maxAge == .seconds(6 * 3600) && outbox.maxActive == 8)
    }

    @Test func refusesValuesThatCannotWork() {
        #expect(load("  retry_min: 10s\n  retry_max: 5s").1 == ["g.yaml:3:14: error: outbox: retry_max must not be shorter than retry_min"])
        #expect(load("  max_age: 10s").1 == ["g.yaml:2:12: error: outbox: max_age must be at least 1m (how long a delivery is retried)"])
        #expect(load("  max_active: 0").1 == ["g.yaml:2:15: error: outbox: max_active must be at least 1"])
        #expect(load("  retries: 3").1.first?.contains("unknown key 'retries' in outbox") == true)
    }
}

@Suite struct TelegramRateLimitConfigTests {
    func load(_ limits: String) -> (PlatformConfig.Telegram.RateLimits?, [String]) {
        let yaml = """
            platforms:
              tg: { type: telegram, side: external, token: "1:x", rate_limits: \(limits) }
            """
        do {
            guard case .telegram(let telegram) = try ConfigLoader(environment: [:]).load(yaml: yaml, file: "g.yaml").platforms["tg"]?.settings else {
                return (nil, ["not a telegram platform"])
            }
            return (telegram.rateLimits, [])
        } catch {
            return (nil, error.diagnostics.map(\.description))
        }
    }

    @Test func keysLeftOutKeepTelegramsLimits() throws {
        let limits = try #require(load("{ group: 10/min }").0)
        #expect(limits.group == Rate(10, per: .seconds(60)))
        #expect(limits.chat == Rate(1, per: .seconds(1)) && limits.bot == Rate(30, per: .seconds(1)))
        #expect(load("{ chat: 2/s, bot: 1000/h }").0?.bot == Rate(1000, per: .seconds(3600)))
    }

    @Test func aMalformedRateIsNamedWhereItIs() {
        #expect(
            load("{ chat: fast }").1 == [
                "g.yaml:2:76: error: platform 'tg': rate_limits: chat must be a rate like 1/s, 20/min or 1000/h, found 'fast'"
            ]
        )
        #expect(load("{ chat: 0/s }").1.first?.contains("must be a rate") == true)
        #expect(load("{ channel: 1/s }").1.first?.contains("unknown key 'channel'") == true)
    }
}

@Suite struct TelegramWebhookConfigTests {
    func diagnostics(_ platform: String, listen: Bool = true) -> [String] {
        let yaml =
            (listen ? "listen: { http: \"127.0.0.1:8080\" }\n" : "") + """
                platforms:
                  tg: { type: telegram, side: external, token: "1:x", \(platform) }
                """
        do {
            _ = try ConfigLoader(environment: [:]).load(yaml: yaml, file: "g.yaml")
            return []
        } catch {
            return error.diagnostics.map(\.message)
        }
    }

    @Test func aWebhookPlatformNeedsItsSecretItsPublicURLAndAListener() {
        #expect(diagnostics("receive: webhook, public_url: \"https://gw.acme.example\", webhook_secret: s3cret-1").isEmpty)
        #expect(
            diagnostics("receive: webhook, webhook_secret: s3cret-1") == [
                "platform 'tg' has receive: webhook but no 'public_url' (where Telegram reaches /hooks/tg)"
            ]
        )
        #expect(
            diagnostics("receive: webhook, public_url: \"https://gw.acme.example\"") == [
                "platform 'tg' has no 'webhook_secret' or 'webhook_secret_file'"
            ]
        )
        #expect(
            diagnostics("receive: webhook, public_url: \"https://gw.acme.example\", webhook_secret: \"not allowed!\"").first?.contains(
                "1–256 characters"
            ) == true
        )
        #expect(
            diagnostics("receive: webhook, public_url: \"https://gw.acme.example\", webhook_secret: s3cret-1", listen: false)
                == ["platform 'tg' receives pushes at /hooks/tg, but the config has no listen.http"]
        )
        #expect(diagnostics("public_url: \"https://gw.acme.example\"") == ["platform 'tg': public_url only applies to receive: webhook"])
    }

    @Test func aCustomRobotChannelIsSendOnlyAndItsSecretIsChecked() throws {
        func load(_ channel: String, from: String = "desk") throws -> GatewayConfig {
            try ConfigLoader(environment: [:]).load(
                yaml: """
                    platforms:
                      corp: { type: dingtalk, side: internal, client_id: d, client_secret: s }
                    channels:
                      desk: { platform: corp, conversation: cidD }
                      alerts: { platform: corp, \(channel) }
                    routes:
                      - { name: r, from: \(from), to: [alerts, desk] }
                    """,
                file: "g.yaml"
            )
        }
        let config = try load("robot_webhook: { access_token: tok, secret: SECabc }")
        #expect(config.channels["alerts"]?.address == .robotWebhook(accessToken: Secret("tok"), secret: Secret("SECabc")))
        #expect(
            try load("robot_webhook: { access_token: tok }").channels["alerts"]?.address == .robotWebhook(accessToken: Secret("tok"), secret: nil)
        )
        #expect(throws: ConfigError.self) { try load("robot_webhook: { access_token: tok, secret: notsec }") }
        #expect(throws: ConfigError.self) { try load("robot_webhook: { access_token: tok }", from: "alerts") }
        #expect(throws: ConfigError.self) { try load("conversation: cidA, robot_webhook: { access_token: tok }") }
    }

    @Test func aDingTalkPlatformReceivingCallbacksNeedsAListener() throws {
        let yaml = """
            platforms:
              corp: { type: dingtalk, side: internal, client_id: d, client_secret: s, receive: http }
            """
        #expect(throws: ConfigError.self) { try ConfigLoader(environment: [:]).load(yaml: yaml, file: "g.yaml") }
        let config = try ConfigLoader(environment: [:]).load(yaml: "listen: { http: \"127.0.0.1:8080\" }\n" + yaml, file: "g.yaml")
        guard case .dingtalk(let dingtalk) = config.platforms["corp"]?.settings else {
            Issue.record("not dingtalk")
            return
        }
        #expect(dingtalk.receive == .http)
    }
}
