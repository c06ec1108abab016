import GatehouseConfig
import GatehouseCore
import Testing

/// DingTalk channels beyond groups: announcements, one-to-one chats, custom robots' @mentions;
/// and the Stream watchdog's setting.
@Suite struct DingTalkChannelConfigTests {
    func load(_ channel: String, route: String = "{ name: r, from: board, to: [news] }", platform: String = "") throws -> GatewayConfig {
        try ConfigLoader(environment: [:]).load(
            yaml: """
                platforms:
                  corp: { type: dingtalk, side: internal, client_id: d, client_secret: s\(platform) }
                  tg: { type: telegram, side: external, token: "1:x" }
                channels:
                  news: { platform: tg, chat: -100 }
                  board: { platform: corp, \(channel) }
                routes:
                  - \(route)
                """,
            file: "g.yaml"
        )
    }

    func diagnostics(_ channel: String, route: String = "{ name: r, from: board, to: [news] }", platform: String = "") -> [String] {
        do {
            _ = try load(channel, route: route, platform: platform)
            return []
        } catch let error as ConfigError {
            return error.diagnostics.map(\.message)
        } catch {
            return ["\(error)"]
        }
    }

    @Test func announcementsAreAChannelRoutesTakeFromButNeverSendTo() throws {
        let config = try load("announcements: true")
        #expect(config.channels["board"]?.address == .announcements)
        let envelope = Envelope(
            origin: .init(platform: "corp", conversation: Channel.announcementConversation, messageID: "bb1", eventID: "e1"),
            sender: .init(id: "hr", name: "hr"),
            body: .init(text: "Holiday"),
            time: .now,
            labels: ["announcement"]
        )
        #expect(config.gate.crossings(for: envelope).map(\.destination) == ["news"])
        #expect(
            diagnostics("announcements: true", route: "{ name: r, from: news, to: [board] }")
                == ["route 'r': to: channel 'board' is the platform's announcements, which Gatehouse reads but does not publish"]
        )
        #expect(diagnostics("announcements: false").first?.contains("announcements: false declares nothing") == true)
        #expect(diagnostics("announcements: yes").first?.contains("must be true or false") == true)
        #expect(diagnostics("announcements: true, conversation: cidA").first?.contains("give one of 'conversation', 'announcements'") == true)
        #expect(
            diagnostics("announcements: true", platform: ", receive: http").contains {
                $0.contains("announcements arrive over Stream mode, but platform 'corp' has receive: http")
            }
        )
    }

    @Test func oneToOneChatsNameOneToTwentyPeopleAndOnlySend() throws {
        let config = try load("users: [u1, u2, u1]", route: "{ name: r, from: news, to: [board] }")
        #expect(config.channels["board"]?.address == .users(["u1", "u2"]))
        #expect(diagnostics("users: []", route: "{ name: r, from: news, to: [board] }").first?.contains("1 to 20 people") == true)
        let many = (1...21).map { "u\($0)" }.joined(separator: ", ")
        #expect(diagnostics("users: [\(many)]", route: "{ name: r, from: news, to: [board] }").first?.contains("found 21") == true)
        #expect(diagnostics("users: [u1]").first?.contains("which only sends") == true)
    }

    @Test func aCustomRobotMentionsPeople() throws {
        let config = try load(
            "robot_webhook: { access_token: tok, secret: SECabc, at: { user_ids: [u1], mobiles: [\"138\"], all: false } }",
            route: "{ name: r, from: news, to: [board] }"
        )
        #expect(
            config.channels["board"]?.address
                == .robotWebhook(
                    accessToken: Secret("tok"),
                    secret: Secret("SECabc"),
                    mentions: .init(userIDs: ["u1"], mobiles: ["138"])
                )
        )
        #expect(
            diagnostics("robot_webhook: { access_token: tok, at: { everyone: true } }", route: "{ name: r, from: news, to: [board] }")
                .first?.contains("everyone") == true
        )
    }

    @Test func theStreamWatchdogIsConfigurableWithinSaneBounds() throws {
        let config = try load("announcements: true", platform: ", idle_timeout: 2m")
        guard case .dingtalk(let dingtalk) = config.platforms["corp"]?.settings else {
            Issue.record("not dingtalk")
            return
        }
        #expect(dingtalk.idleTimeout == .seconds(120))
        #expect(diagnostics("announcements: true", platform: ", idle_timeout: 5s").first?.contains("between 30s and 10m") == true)
    }
}
