import Foundation
import Testing

@testable import GatehouseEmulators

private let configuration = DingTalkEmulator.Configuration(rateLimits: false)

private func token(_ http: TestHTTP, _ configuration: DingTalkEmulator.Configuration = configuration) async throws -> String {
    let answer = try await http.post(
        "/v1.0/oauth2/accessToken",
        json: .object(["appKey": .string(configuration.clientID), "appSecret": .string(configuration.clientSecret)])
    )
    return try #require(answer.json["accessToken"]?.stringValue)
}

private func groupSend(_ conversation: String, text: String, robotCode: String = configuration.robotCode) -> JSONValue {
    .object([
        "msgKey": .string("sampleText"),
        "msgParam": .string(JSONValue.object(["content": .string(text)]).jsonString),
        "openConversationId": .string(conversation),
        "robotCode": .string(robotCode),
    ])
}

@Suite("DingTalk emulator: HTTP APIs", .timeLimit(.minutes(2)))
struct DingTalkEmulatorTests {
    @Test("access tokens: bad credentials are refused; a valid token is returned again while valid")
    func accessToken() async throws {
        try await withDingTalk(configuration) { _, http in
            let bad = try await http.post(
                "/v1.0/oauth2/accessToken",
                json: .object(["appKey": .string(configuration.clientID), "appSecret": .string("wrong")])
            )
            #expect(bad.status == 400)
            #expect(bad.json["code"] == .string("invalidClientIdOrSecret"))
            #expect(bad.json["requestid"]?.stringValue != nil)
            let missing = try await http.post("/v1.0/oauth2/accessToken", json: .object(["appKey": .string("x")]))
            #expect(missing.status == 400)
            #expect(missing.json["code"] == .string("MissingappSecret"))

            let good = try await http.post(
                "/v1.0/oauth2/accessToken",
                json: .object(["appKey": .string(configuration.clientID), "appSecret": .string(configuration.clientSecret)])
            )
            #expect(good.status == 200)
            #expect(good.json["expireIn"] == .int(7200))
            let first = try #require(good.json["accessToken"]?.stringValue)
            #expect(try await token(http) == first)
        }
    }

    @Test("groupMessages/send needs a current token and is recorded")
    func groupMessagesSend() async throws {
        try await withDingTalk(configuration) { emulator, http in
            let noToken = try await http.post("/v1.0/robot/groupMessages/send", json: groupSend("cidAAA==", text: "hi"))
            #expect(noToken.status == 401)
            let badToken = try await http.post(
                "/v1.0/robot/groupMessages/send",
                json: groupSend("cidAAA==", text: "hi"),
                headers: [("x-acs-dingtalk-access-token", "not-a-token")]
            )
            #expect(badToken.status == 401)
            #expect(badToken.json["code"] == .string("InvalidAuthentication"))

            let accessToken = try await token(http)
            let auth = [("x-acs-dingtalk-access-token", accessToken)]
            let sent = try await http.post("/v1.0/robot/groupMessages/send", json: groupSend("cidAAA==", text: "你好"), headers: auth)
            #expect(sent.status == 200)
            let key = try #require(sent.json["processQueryKey"]?.stringValue)
            _ = try await http.post("/v1.0/robot/groupMessages/send", json: groupSend("cidBBB==", text: "other"), headers: auth)

            let records = try await http.get("/_emulator/sent?conversation=cidAAA%3D%3D")
            #expect(
                records.json
                    == .array([
                        .object([
                            "api": .string("groupMessages/send"), "conversation": .string("cidAAA=="),
                            "msgKey": .string("sampleText"), "content": .string("你好"), "processQueryKey": .string(key),
                        ])
                    ])
            )
            #expect(await emulator.sent().count == 2)

            // msgParam must be a JSON string, not an object.
            var objectParam = groupSend("cidAAA==", text: "x").objectValue ?? [:]
            objectParam["msgParam"] = .object(["content": .string("x")])
            let wrongParam = try await http.post("/v1.0/robot/groupMessages/send", json: .object(objectParam), headers: auth)
            #expect(wrongParam.status == 400)
            #expect(wrongParam.json["code"] == .string("invalidParameter.msgParam.invalid"))

            let markdownWithoutTitle = try await http.post(
                "/v1.0/robot/groupMessages/send",
                json: .object([
                    "msgKey": .string("sampleMarkdown"), "msgParam": .string(##"{"text":"# hi"}"##),
                    "openConversationId": .string("cidAAA=="), "robotCode": .string(configuration.robotCode),
                ]),
                headers: auth
            )
            #expect(markdownWithoutTitle.status == 400)
            let wrongRobot = try await http.post(
                "/v1.0/robot/groupMessages/send",
                json: groupSend("cidAAA==", text: "x", robotCode: "someone-else"),
                headers: auth
            )
            #expect(wrongRobot.status == 400)
            let tooLong = try await http.post(
                "/v1.0/robot/groupMessages/send",
                json: groupSend("cidAAA==", text: String(repeating: "字", count: 5001)),
                headers: auth
            )
            #expect(tooLong.json["code"] == .string("invalidParameter.msgParam.tooLong"))

            let recall = try await http.post(
                "/v1.0/robot/groupMessages/recall",
                json: .object([
                    "openConversationId": .string("cidAAA=="), "robotCode": .string(configuration.robotCode),
                    "processQueryKeys": .array([.string(key), .string("nope")]),
                ]),
                headers: auth
            )
            #expect(recall.json["successResult"] == .array([.string(key)]))
            #expect(recall.json["failedResult"]?["nope"] != nil)
        }
    }

    @Test("oToMessages/batchSend takes at most 20 users")
    func batchSend() async throws {
        try await withDingTalk(configuration) { emulator, http in
            let auth = [("x-acs-dingtalk-access-token", try await token(http))]
            func body(_ users: Int) -> JSONValue {
                .object([
                    "robotCode": .string(configuration.robotCode),
                    "userIds": .array((0..<users).map { .string("user\($0)") }),
                    "msgKey": .string("sampleText"), "msgParam": .string(#"{"content":"hello"}"#),
                ])
            }
            let ok = try await http.post("/v1.0/robot/oToMessages/batchSend", json: body(2), headers: auth)
            #expect(ok.status == 200)
            #expect(ok.json["invalidStaffIdList"] == .array([]))
            #expect(ok.json["flowControlledStaffIdList"] == .array([]))
            let tooMany = try await http.post("/v1.0/robot/oToMessages/batchSend", json: body(21), headers: auth)
            #expect(tooMany.json["code"] == .string("invalidParameter.userIds.overMax"))
            let none = try await http.post("/v1.0/robot/oToMessages/batchSend", json: body(0), headers: auth)
            #expect(none.json["code"] == .string("invalidParameter.userIds.empty"))
            #expect(await emulator.sent(conversation: "user0,user1").first?.content == "hello")
        }
    }

    @Test("more than 20 calls per second to one API are throttled")
    func qpsLimit() async throws {
        try await withDingTalk(.init()) { emulator, http in
            // 25 at once, so that they fall within one second; on a machine so busy that they
            // spread over more, another 25, up to eight times.
            var answers: [HTTPAnswer] = []
            var sent = 0
            for _ in 0..<8 {
                answers += try await withThrowingTaskGroup(of: HTTPAnswer.self) { group in
                    for _ in 0..<25 {
                        group.addTask {
                            try await http.post("/v1.0/oauth2/accessToken", json: .object(["appKey": .string("x"), "appSecret": .string("y")]))
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                sent += 25
                if answers.contains(where: { $0.status == 400 && $0.json["code"] == .string("Forbidden.AccessDenied.QpsLimitForAppkeyAndApi") }) {
                    break
                }
            }
            let throttled = answers.first { $0.json["code"] == .string("Forbidden.AccessDenied.QpsLimitForAppkeyAndApi") }
            #expect(throttled?.status == 400)
            #expect(await emulator.stats().rateLimited >= 1)
            let stats = try await http.get("/_emulator/stats")
            #expect(stats.json["requests"] == .int(Int64(sent)))
            #expect(stats.json["rejected_signatures"] == .int(0))
        }
    }

    @Test("custom robot webhooks check the signature")
    func customRobotSignature() async throws {
        let secret = "SECabcdef0123456789"
        let robot = DingTalkEmulator.CustomRobot(accessToken: "robot-token", secret: secret, conversationId: "cidALERTS==")
        try await withDingTalk(.init(rateLimits: false, customRobots: [robot])) { emulator, http in
            let timestamp = String(EmulatorHTTP.nowMilliseconds())
            let sign = DingTalkRobotMessages.signature(timestamp: timestamp, secret: secret)
            let encoded = sign.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? sign
            let body = JSONValue.object(["msgtype": .string("text"), "text": .object(["content": .string("disk full")])])
            let good = try await http.post("/robot/send?access_token=robot-token&timestamp=\(timestamp)&sign=\(encoded)", json: body)
            #expect(good.json == .object(["errcode": .int(0), "errmsg": .string("ok")]))

            let bad = try await http.post("/robot/send?access_token=robot-token&timestamp=\(timestamp)&sign=AAAA", json: body)
            #expect(bad.status == 200)
            #expect(bad.json["errcode"] == .int(310000))
            let stale = try await http.post(
                "/robot/send?access_token=robot-token&timestamp=\(Int64(timestamp)! - 3_700_000)&sign=\(encoded)",
                json: body
            )
            #expect(stale.json["errcode"] == .int(310000))
            let unknown = try await http.post("/robot/send?access_token=nope", json: body)
            #expect(unknown.json["errcode"] == .int(400101))

            #expect(await emulator.stats().rejectedSignatures == 2)
            let records = await emulator.sent(conversation: "cidALERTS==")
            #expect(records.map(\.api) == ["robot/send"])
            #expect(records.first?.msgKey == "text")
            #expect(records.first?.content == "disk full")
        }
    }

    @Test("the control API validates injected messages")
    func controlAPIValidation() async throws {
        try await withDingTalk(configuration) { _, http in
            let bad = try await http.post(
                "/_emulator/messages",
                json: .object([
                    "conversationId": .string("cid1"), "conversationType": .string("3"),
                    "senderStaffId": .string("u1"), "senderNick": .string("Wang"), "text": .string("hi"),
                ])
            )
            #expect(bad.status == 400)
            let good = try await http.post(
                "/_emulator/messages",
                json: .object([
                    "conversationId": .string("cid1"), "conversationType": .string("2"),
                    "senderStaffId": .string("u1"), "senderNick": .string("Wang"), "text": .string("hi"),
                ])
            )
            #expect(good.json["msgId"]?.stringValue?.hasPrefix("msg") == true)
            #expect(try await http.get("/v1.0/nothing/here").status == 404)
        }
    }
}
