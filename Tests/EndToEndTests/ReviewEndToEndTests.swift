import AsyncHTTPClient
import DingTalkAdapter
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseEmulators
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import NIOCore
import Testing

@testable import GatehouseCommands

/// Holds reviewed where the reviewers work: a held announcement becomes a DingTalk review card,
/// clicks on it are judged against the route's reviewers, four eyes take two people, a hold past
/// its deadline is rejected, and every step is in the audit log with who took it.
extension EndToEndTests {
    /// The demo config with a route that holds what mentions 绝密, reviewed by `review`'s keys.
    static func reviewConfig(_ review: String, socket: String, listen: String = "", platform: String = "") throws -> String {
        try String(contentsOfFile: demoConfig, encoding: .utf8)
            .replacingOccurrences(of: "    receive: stream\n", with: "    receive: stream\n" + platform)
            .replacingOccurrences(of: "checks:\n", with: "checks:\n  secret: { keywords: [绝密] }\n")
            .replacingOccurrences(of: "channels:\n", with: "channels:\n  review-room: { platform: corp, conversation: \"cidReviewRoom0==\" }\n")
                + """
                  - name: press
                    from: all-hands
                    to: [support]
                    on: { secret: hold }
                \(review)

                listen: { admin: "\(socket)"\(listen) }

                """
    }

    static let reviewDirectory = DingTalkEmulator.DirectoryEntries(
        people: [
            .init(userid: "rev01", name: "王审", deptIdList: [10]),
            .init(userid: "rev02", name: "李审", deptIdList: [10]),
            .init(userid: "m01", name: "王经理", deptIdList: [10]),
            .init(userid: "x01", name: "路人", deptIdList: [20]),
        ],
        departments: [.init(deptId: 10, name: "合规部"), .init(deptId: 20, name: "市场部")]
    )

    @Test func fourEyesTakeTwoReviewersOnTheCardAndNeverTheAuthor() async throws {
        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("gh-review-\(UUID().uuidString.prefix(8)).sock").path
        let yaml = try Self.reviewConfig(
            """
                reviewers: [staff:rev01, staff:rev02, staff:m01]
                approvals: 2
                tell_sender: true
            """,
            socket: socket
        )
        try await withEmulators(try ConfigLoader().load(yaml: yaml, file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            await dingtalk.addToDirectory(Self.reviewDirectory)
            try await runGateway(config, httpClient) { ledger in
                func records(_ kind: AuditRecord.Kind) async throws -> [AuditRecord] {
                    try await ledger.records(from: 1, limit: 1000).filter { $0.kind == kind }
                }
                let text = "绝密：新品发布计划 see https://acme.example/launch"
                _ = try await dingtalk.inject(.init(conversationId: "cidAllHands000==", senderStaffId: "m01", senderNick: "王经理", text: text))

                // One card, delivered to each reviewer's one-to-one chat with the robot.
                #expect(await eventually { await dingtalk.cards().count == 1 })
                let card = try #require(await dingtalk.cards().first)
                #expect(Set(card.spaces) == ["IM_ROBOT.rev01", "IM_ROBOT.rev02", "IM_ROBOT.m01"])
                #expect(card.cardTemplateId == "gatehouse-review.schema" && card.callbackType == "STREAM")
                #expect(card.cardData["text"] == text)
                #expect(card.cardData["title"]?.contains("press → support") == true)
                let summary = try #require(card.cardData["summary"])
                #expect(summary.contains("secret: keyword") && summary.contains("acme.example/launch") && summary.contains("王经理 (m01, 合规部)"))
                #expect(card.cardData["decided"] == "false" && card.cardData["status"]?.contains("0 of 2") == true)
                let opened = try #require(try await records(.reviewOpened).first)
                #expect(opened.review?.card == card.outTrackId && opened.review?.needed == 2)
                #expect(Set(opened.review?.to ?? []) == ["staff:rev01", "staff:rev02", "staff:m01"])
                // The sender is told that it waits.
                #expect(await eventually { await dingtalk.sent(conversation: "m01").contains { $0.content?.contains("waiting for review") == true } })

                // The author's own approval is refused, and recorded as refused.
                let own = try await dingtalk.click(.init(outTrackId: card.outTrackId, userId: "m01", params: ["action": "approve"]))
                #expect(own.answered)
                #expect(own.card?.privateData["m01"]?["notice"]?.contains("sender") == true)
                let refused = try #require(try await records(.decisionRefused).first)
                #expect(refused.reviewer?.id == "m01" && refused.reviewer?.via == .dingtalk && refused.reason?.contains("sender") == true)

                // The first reviewer's approval counts, and the hold stays held.
                let first = try await dingtalk.click(
                    .init(outTrackId: card.outTrackId, userId: "rev01", params: ["action": "approve", "reason": "facts checked"])
                )
                #expect(first.card?.privateData["rev01"]?["notice"]?.contains("1 of 2") == true)
                #expect(first.card?.cardData["status"]?.contains("1 of 2") == true && first.card?.cardData["decided"] == "false")
                let vote = try #require(try await records(.holdVote).first)
                #expect(vote.reviewer?.id == "rev01" && vote.reviewer?.name == "王审" && vote.reviewer?.department == "合规部")
                #expect(vote.reason == "facts checked" && vote.review?.approvals == 1 && vote.review?.needed == 2)
                let held = try #require(try await ledger.jobs(in: .held, limit: 10).first)
                // Clicking again is no second pair of eyes.
                let again = try await dingtalk.click(.init(outTrackId: card.outTrackId, userId: "rev01", params: ["action": "approve"]))
                #expect(again.card?.privateData["rev01"]?["notice"]?.contains("already") == true)

                // The CLI's user is no reviewer of this route (no group: entry): refused and recorded.
                #expect(await eventually { FileManager.default.fileExists(atPath: socket) })
                let cli = try #require(
                    try GatehouseCommand.parseAsRoot(["holds", "approve", String(held.id), "--reason", "from the server", "--socket", socket])
                        as? Holds.Approve
                )
                await #expect(throws: (any Error).self) { try await cli.run() }
                #expect(try await records(.decisionRefused).contains { $0.reviewer?.via == .unix })

                // The second reviewer releases it: it is sent, and the card says so to everyone.
                let second = try await dingtalk.click(.init(outTrackId: card.outTrackId, userId: "rev02", params: ["action": "approve"]))
                #expect(second.card?.cardData["decided"] == "true")
                #expect(second.card?.cardData["status"]?.contains("Approved by 王审") == true)
                #expect(second.card?.cardData["status"]?.contains("李审") == true)
                #expect(await eventually { await telegram.sent(chatID: "-1009876543210").contains { $0.text?.contains("新品发布计划") == true } })
                let approved = try #require(try await records(.holdApproved).first)
                #expect(approved.reviewer?.id == "rev02" && approved.review?.approvals == 2)
                #expect(await eventually { await dingtalk.sent(conversation: "m01").contains { $0.content?.contains("approved") == true } })

                // The history names both reviewers.
                let history = try await ledger.decidedHolds(limit: 10)
                #expect(history.count == 1 && history.first?.outcome == "approved")
                #expect(history.first?.votes.filter(\.approve).map(\.reviewer.id) == ["rev01", "rev02"])
                let lines = try #require(try GatehouseCommand.parseAsRoot(["holds", "history", "--socket", socket]) as? Holds.History)
                try await lines.run()
            }
        }
    }

    @Test func aNonReviewerInTheReviewGroupIsRefusedAndAHoldPastItsTimeoutIsRejected() async throws {
        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("gh-review-\(UUID().uuidString.prefix(8)).sock").path
        let yaml = try Self.reviewConfig(
            """
                reviewers: [department:合规部]
                review_in: review-room
                hold_timeout: 3s
                remind_before: 2s
            """,
            socket: socket
        )
        try await withEmulators(try ConfigLoader().load(yaml: yaml, file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            await dingtalk.addToDirectory(Self.reviewDirectory)
            try await runGateway(config, httpClient) { ledger in
                func records(_ kind: AuditRecord.Kind) async throws -> [AuditRecord] {
                    try await ledger.records(from: 1, limit: 1000).filter { $0.kind == kind }
                }
                _ = try await dingtalk.inject(.init(conversationId: "cidAllHands000==", senderStaffId: "m01", senderNick: "王经理", text: "绝密 draft"))
                #expect(await eventually { await dingtalk.cards().count == 1 })
                let card = try #require(await dingtalk.cards().first)
                #expect(card.spaces == ["IM_GROUP.cidReviewRoom0=="])

                // Someone in the group but not in the department is refused, and that is recorded.
                let outsider = try await dingtalk.click(.init(outTrackId: card.outTrackId, userId: "x01", params: ["action": "approve"]))
                #expect(outsider.card?.privateData["x01"]?["notice"]?.contains("not a reviewer") == true)
                let refused = try #require(try await records(.decisionRefused).first)
                #expect(refused.reviewer?.id == "x01" && refused.reviewer?.name == "路人" && refused.reviewer?.department == "市场部")
                #expect(try await ledger.jobs(in: .held, limit: 10).count == 1)

                // Nobody decides: a reminder, then it expires, rejected, and the card says so.
                #expect(await eventually { try await !records(.holdReminded).isEmpty })
                #expect(await eventually { try await !records(.holdExpired).isEmpty })
                #expect(await eventually { await dingtalk.cards().first?.cardData["decided"] == "true" })
                #expect(await dingtalk.cards().first?.cardData["status"]?.contains("Expired") == true)
                #expect(try await ledger.jobs(in: .held, limit: 10).isEmpty)
                #expect(try await ledger.decidedHolds(limit: 10).first?.outcome == "expired")
                // A late click changes nothing.
                let late = try await dingtalk.click(.init(outTrackId: card.outTrackId, userId: "rev01", params: ["action": "approve"]))
                #expect(late.card?.privateData["rev01"]?["notice"]?.contains("decided already") == true)
                #expect(await !telegram.sent(chatID: "-1009876543210").contains { $0.text?.contains("draft") == true })
            }
        }
    }

    @Test func clicksPostedByHTTPAreSignedTakenOnceAndRecorded() async throws {
        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("gh-review-\(UUID().uuidString.prefix(8)).sock").path
        let port = freeLocalPort()
        let hook = "http://127.0.0.1:\(port)/hooks/corp/cards"
        let yaml = try Self.reviewConfig(
            "    reviewers: [staff:rev01, staff:rev02]\n",
            socket: socket,
            listen: ", http: \"127.0.0.1:\(port)\"",
            platform: "    card_callback_url: \(hook)\n"
        )
        try await withEmulators(try ConfigLoader().load(yaml: yaml, file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            await dingtalk.addToDirectory(Self.reviewDirectory)
            try await runGateway(config, httpClient) { ledger in
                _ = try await dingtalk.inject(.init(conversationId: "cidAllHands000==", senderStaffId: "m01", senderNick: "王经理", text: "绝密 by HTTP"))
                #expect(await eventually { await dingtalk.cards().count == 1 })
                let card = try #require(await dingtalk.cards().first)
                #expect(card.callbackType == "HTTP" && card.callbackRouteKey != nil)
                #expect(
                    await eventually {
                        var probe = HTTPClientRequest(url: "http://127.0.0.1:\(port)/readyz")
                        probe.method = .GET
                        return (try? await httpClient.execute(probe, timeout: .seconds(2)).status.code) == 200
                    }
                )

                // Forged, stale and replayed clicks are refused before anything is recorded.
                let secret = DingTalkAdapter.cardSecret(for: Secret("demo-secret-not-real"))
                func click(_ user: String, timestamp: String, signature: String) -> HTTPClientRequest {
                    var request = HTTPClientRequest(url: hook)
                    request.method = .POST
                    request.headers.add(name: "x-ddpaas-signature-timestamp", value: timestamp)
                    request.headers.add(name: "x-ddpaas-signature", value: signature)
                    let content = #"{\"cardPrivateData\":{\"actionIds\":[\"approve\"],\"params\":{\"action\":\"approve\"}}}"#
                    request.body = .bytes(
                        ByteBuffer(
                            string:
                                #"{"type":"actionCallback","outTrackId":"\#(card.outTrackId)","corpId":"dingcorp","userId":"\#(user)","content":"\#(content)"}"#
                        )
                    )
                    return request
                }
                let now = String(Int64(Date().timeIntervalSince1970 * 1000))
                let old = String(Int64(Date().timeIntervalSince1970 * 1000) - 3_600_000)
                #expect(try await httpClient.execute(click("rev01", timestamp: now, signature: "Zm9yZ2Vk"), timeout: .seconds(5)).status.code == 401)
                let stale = click("rev01", timestamp: old, signature: DingTalkAdapter.cardSignature(timestamp: old, secret: secret))
                #expect(try await httpClient.execute(stale, timeout: .seconds(5)).status.code != 200)
                let signed = DingTalkAdapter.cardSignature(timestamp: now, secret: secret)
                let genuine = try await httpClient.execute(click("rev02", timestamp: now, signature: signed), timeout: .seconds(5))
                #expect(genuine.status.code == 200)
                let answer = String(buffer: try await genuine.body.collect(upTo: 1 << 16))
                #expect(answer.contains("cardParamMap") && answer.contains("Approved"))
                // The same signed headers with another person's click: a replay.
                #expect(try await httpClient.execute(click("rev01", timestamp: now, signature: signed), timeout: .seconds(5)).status.code == 401)
                #expect(try await ledger.records(from: 1, limit: 1000).filter { $0.kind == .holdApproved }.map(\.reviewer?.id) == ["rev02"])
                #expect(await eventually { await telegram.sent(chatID: "-1009876543210").contains { $0.text?.contains("by HTTP") == true } })

                // The emulator's own click goes the same way (signed POST), answered "decided already".
                let late = try await dingtalk.click(.init(outTrackId: card.outTrackId, userId: "rev01", params: ["action": "approve"]))
                #expect(late.answered && late.card?.privateData["rev01"]?["notice"]?.contains("decided already") == true)
            }
        }
    }

    @Test func aHoldNobodyDecidesGoesToTheSecondListWithACardOfItsOwn() async throws {
        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("gh-review-\(UUID().uuidString.prefix(8)).sock").path
        let yaml = try Self.reviewConfig(
            """
                reviewers: [staff:rev01]
                hold_timeout: 2s
                on_timeout: escalate
                escalate_to: [staff:rev02]
            """,
            socket: socket
        )
        try await withEmulators(try ConfigLoader().load(yaml: yaml, file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            await dingtalk.addToDirectory(Self.reviewDirectory)
            try await runGateway(config, httpClient) { ledger in
                _ = try await dingtalk.inject(
                    .init(conversationId: "cidAllHands000==", senderStaffId: "m01", senderNick: "王经理", text: "绝密 escalate me")
                )
                #expect(await eventually { await dingtalk.cards().count == 1 })
                let first = try #require(await dingtalk.cards().first)
                #expect(first.spaces == ["IM_ROBOT.rev01"])
                // Two seconds pass: the second list gets its own card; the first card says so.
                #expect(await eventually { await dingtalk.cards().count == 2 })
                let second = try #require(await dingtalk.cards().first { $0.outTrackId != first.outTrackId })
                #expect(second.spaces == ["IM_ROBOT.rev02"])
                #expect(await dingtalk.cards().first { $0.outTrackId == first.outTrackId }?.cardData["status"]?.contains("Escalated") == true)
                let escalated = try #require(try await ledger.records(from: 1, limit: 100).first { $0.kind == .holdEscalated })
                #expect(escalated.review?.card == second.outTrackId && escalated.review?.to == ["staff:rev02"])
                // The second reviewer approves on their card; both cards show it.
                let click = try await dingtalk.click(.init(outTrackId: second.outTrackId, userId: "rev02", params: ["action": "approve"]))
                #expect(click.card?.cardData["decided"] == "true")
                #expect(await eventually { await dingtalk.cards().first { $0.outTrackId == first.outTrackId }?.cardData["decided"] == "true" })
                #expect(await eventually { await telegram.sent(chatID: "-1009876543210").contains { $0.text?.contains("escalate me") == true } })
            }
        }
    }
}
