import Foundation
import GatehouseConfig
import GatehouseCore
import Testing

/// The review keys of a route (`reviewers:`, `approvals:`, `hold_timeout:` …) and the `review:`
/// section: compiled into the route's rule, and every mistake named where it is.
@Suite struct ReviewConfigTests {
    static let base = RulesConfigTests.base.replacingOccurrences(
        of: "channels:\n",
        with: "channels:\n  room: { platform: corp, conversation: cidRoom }\n"
    )

    static func yaml(_ lines: String, review: String = "review: { platform: corp, card_template: tpl }") -> String {
        base + """
            \(review)
            checks:
              secret: { keywords: [机密] }
            routes:
              - name: r
                from: all-hands
                to: [news]
                on: { secret: hold }
                \(lines)
            """
    }

    @Test func compilesEveryReviewKey() throws {
        let config = try ConfigLoader(environment: [:]).load(
            yaml: Self.yaml(
                """
                reviewers: [staff:a, staff:b, department:合规部, group:compliance]
                    approvals: 2
                    hold_timeout: 4h
                    on_timeout: escalate
                    escalate_to: [staff:cfo]
                    review_in: room
                    tell_sender: true
                    remind_before: 30m
                """
            ),
            file: "/etc/gatehouse/g.yaml"
        )
        let rule = try #require(config.routes.first?.review)
        #expect(rule.reviewers == [.staff("a"), .staff("b"), .department("合规部"), .unixGroup("compliance")])
        #expect(rule.approvals == 2 && rule.timeout == .seconds(4 * 3600) && rule.onTimeout == .escalate([.staff("cfo")]))
        #expect(rule.room == "room" && rule.tellSender && rule.remindBefore == .seconds(1800))
        #expect(config.review == GatewayConfig.Review(platform: "corp", cardTemplate: "tpl"))
        // Without remind_before, the reminder comes when a quarter of the time is left.
        #expect(ReviewRule(reviewers: [.staff("a")], timeout: .seconds(400)).reminderLead == .seconds(100))
    }

    @Test func aRouteWithoutReviewersIsDecidedOnTheServerAsBefore() throws {
        let config = try ConfigLoader(environment: [:]).load(yaml: Self.yaml("", review: ""), file: "/etc/gatehouse/g.yaml")
        #expect(config.routes.first?.review == nil && config.review == nil)
    }

    @Test(arguments: [
        ("approvals: 2", "16:5: error: route 'r': approvals needs 'reviewers' (who may decide the route's holds)"),
        ("reviewers: [boss]", "16:17: error: route 'r': reviewers: 'boss' is not staff:ID, department:NAME or group:UNIX_GROUP"),
        ("reviewers: []", "16:16: error: route 'r': reviewers must name at least one reviewer"),
        ("reviewers: [staff:a]\n    approvals: 2", "17:16: error: route 'r': approvals: 2 needs more reviewers than the 1 named"),
        ("reviewers: [staff:a]\n    approvals: 0", "17:16: error: route 'r': approvals must be between 1 and 200, found 0"),
        ("reviewers: [staff:a]\n    hold_timeout: 0s", "17:19: error: route 'r': hold_timeout must be longer than 0s"),
        ("reviewers: [staff:a]\n    on_timeout: reject", "17:17: error: route 'r': on_timeout needs hold_timeout (when the hold times out)"),
        (
            "reviewers: [staff:a]\n    hold_timeout: 1h\n    on_timeout: later",
            "18:17: error: route 'r': on_timeout must be reject or escalate, found 'later'"
        ),
        (
            "reviewers: [staff:a]\n    hold_timeout: 1h\n    on_timeout: escalate",
            "18:17: error: route 'r': on_timeout: escalate needs escalate_to (the second list of reviewers)"
        ),
        ("reviewers: [staff:a]\n    escalate_to: [staff:b]", "17:18: error: route 'r': escalate_to is used only with on_timeout: escalate"),
        ("reviewers: [staff:a]\n    review_in: rom", "17:16: error: route 'r': review_in: no channel named 'rom' (did you mean 'room'?)"),
        (
            "reviewers: [staff:a]\n    review_in: news",
            "17:16: error: route 'r': review_in: channel 'news' is not a DingTalk group (a 'conversation'), where a card can go"
        ),
        (
            "reviewers: [staff:a]\n    hold_timeout: 1h\n    remind_before: 2h",
            "18:20: error: route 'r': remind_before must be shorter than hold_timeout"
        ),
        (
            "reviewers: [department:合规部]",
            "16:16: error: route 'r': a department is sent no card by itself (DingTalk gives no list of its members to the robot); add review_in: a group where its reviewers are, or name staff"
        ),
    ])
    func aBadReviewKeyIsReportedWhereItIs(lines: String, expected: String) {
        #expect(RulesConfigTests().diagnostics(Self.yaml(lines)) == ["/etc/gatehouse/g.yaml:" + expected])
    }

    @Test func dingTalkReviewersNeedTheReviewSectionAndItsPlatformMustBeDingTalk() {
        #expect(
            RulesConfigTests().diagnostics(Self.yaml("reviewers: [staff:a]", review: "")) == [
                "/etc/gatehouse/g.yaml:1:1: error: route 'r' has DingTalk reviewers, but the config has no 'review:' section (review: { platform: NAME, card_template: ID }) saying which robot sends their cards"
            ]
        )
        // Unix groups alone decide with the CLI: no card, no section needed.
        #expect(RulesConfigTests().diagnostics(Self.yaml("reviewers: [group:compliance]", review: "")) == [])
        #expect(
            RulesConfigTests().diagnostics(Self.yaml("reviewers: [staff:a]", review: "review: { platform: tg, card_template: tpl }")) == [
                "/etc/gatehouse/g.yaml:8:21: error: review: platform 'tg' is telegram; review cards are DingTalk interactive cards"
            ]
        )
        #expect(
            RulesConfigTests().diagnostics(Self.yaml("reviewers: [staff:a]", review: "review: { platform: corp }")) == [
                "/etc/gatehouse/g.yaml:8:9: error: review has no 'card_template'"
            ]
        )
    }

    @Test func cardCallbacksByHTTPNeedTheListener() {
        let yaml = Self.yaml("reviewers: [staff:a]").replacingOccurrences(
            of: "client_secret: s }",
            with: "client_secret: s, card_callback_url: \"https://gatehouse.example/hooks/corp/cards\" }"
        )
        #expect(
            RulesConfigTests().diagnostics(yaml) == [
                "/etc/gatehouse/g.yaml:1:1: error: platform 'corp' receives pushes at /hooks/corp, but the config has no listen.http"
            ]
        )
    }

    @Test func fourEyesOverDingTalkAndUnixReviewersIsWarnedAbout() throws {
        let config = try ConfigLoader(environment: [:]).load(
            yaml: Self.yaml("reviewers: [staff:a, staff:b, group:compliance]\n    approvals: 2"),
            file: "/etc/gatehouse/g.yaml"
        )
        #expect(config.warnings.map(\.description).contains { $0.contains("could be one") || $0.contains("may be one") })
        let plain = try ConfigLoader(environment: [:]).load(
            yaml: Self.yaml("reviewers: [staff:a, staff:b]\n    approvals: 2"),
            file: "/etc/gatehouse/g.yaml"
        )
        #expect(plain.warnings.isEmpty)
    }

    @Test func aRobotThatReceivesByHTTPNeedsAnAddressForCardClicks() {
        let yaml =
            Self.yaml("reviewers: [staff:a]").replacingOccurrences(of: "client_secret: s }", with: "client_secret: s, receive: http }")
            + "\nlisten: { http: 127.0.0.1:8080 }\n"
        #expect(
            RulesConfigTests().diagnostics(yaml) == [
                "/etc/gatehouse/g.yaml:8:9: error: review: platform 'corp' has receive: http, so card clicks cannot come over Stream; give it card_callback_url (the public address of /hooks/corp/cards)"
            ]
        )
        let addressed = yaml.replacingOccurrences(
            of: "receive: http }",
            with: "receive: http, card_callback_url: \"https://gatehouse.example/hooks/corp/cards\" }"
        )
        #expect(RulesConfigTests().diagnostics(addressed) == [])
    }
}
