import Foundation
import Testing

@testable import GatehouseEmulators

private let fast = DingTalkEmulator.Configuration(
    pingInterval: nil,
    ackTimeout: .milliseconds(300),
    disconnectGrace: .milliseconds(300),
    rateLimits: false
)

private func token(_ http: TestHTTP) async throws -> String {
    let answer = try await http.post(
        "/v1.0/oauth2/accessToken",
        json: .object(["appKey": .string(fast.clientID), "appSecret": .string(fast.clientSecret)])
    )
    return try #require(answer.json["accessToken"]?.stringValue)
}

@Suite("DingTalk emulator: announcements and events", .timeLimit(.minutes(2)))
struct DingTalkAnnouncementEmulatorTests {
    @Test("a published announcement is a blackboard_sent EVENT, pushed again until its ACK takes it")
    func announcementEvent() async throws {
        try await withDingTalk(fast) { emulator, http in
            // The first two ACKs say LATER; the third answers as the official Python SDK does (code
            // 200, the event's data echoed, no status), which consumes it.
            let recorder = StreamRecorder(eventAnswers: [
                #"{"status":"LATER","message":"busy"}"#, #"{"status":"LATER","message":"busy"}"#, #"{"blackboardId":"echoed"}"#,
            ])
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runStreamClient(http: http, configuration: fast, recorder: recorder) }
                defer { group.cancelAll() }
                let published = await emulator.publish(.init(title: "放假通知", content: "元旦放假一天。", senderStaffId: "hr0007", categoryName: "行政"))
                #expect(try await eventually { await emulator.streamStats().eventsAcknowledged == 1 })
                try await Task.sleep(for: .milliseconds(700))
                let events = await recorder.frames(type: "EVENT")
                #expect(events.count == 3)
                let first = try #require(events.first)
                #expect(first["headers"]?["eventType"] == .string("blackboard_sent"))
                #expect(first["headers"]?["eventId"] == .string(published.eventId))
                #expect(first["headers"]?["eventCorpId"] == .string(fast.corpID))
                #expect(first["headers"]?["eventBornTime"]?.stringValue.flatMap { Int64($0) } != nil)
                #expect(Set(events.compactMap { $0["headers"]?["messageId"]?.stringValue }).count == 1)
                let data = try JSONValue.parse(try #require(first["data"]?.stringValue))
                #expect(data["blackboardId"] == .string(published.blackboardId))
                #expect(data["categoryName"] == .string("行政"))
                let stats = await emulator.streamStats()
                #expect(stats.eventsPushed == 3 && stats.eventsDeferred == 2 && stats.eventsAcknowledged == 1)
                #expect(stats.callbacksPushed == 0)
            }
        }
    }

    @Test("get_blackboard answers the documented shape, needs a token, and knows no deleted announcement")
    func getBlackboard() async throws {
        try await withDingTalk(fast) { emulator, http in
            let published = await emulator.publish(
                .init(
                    title: "放假通知",
                    content: "元旦放假一天。",
                    senderStaffId: "hr0007",
                    privateLevel: 20,
                    attachments: [.init(fileName: "安排.pdf", fileType: "pdf")]
                )
            )
            let path = "/v1.0/blackboard/get_blackboard?blackboardId=\(published.blackboardId)&operationUserId=hr0007"
            #expect(try await http.get(path).status == 401)
            let auth = [("x-acs-dingtalk-access-token", try await token(http))]
            let answer = try await http.send("GET", path, headers: auth)
            #expect(answer.status == 200)
            #expect(answer.json["id"] == .string(published.blackboardId))
            #expect(answer.json["title"] == .string("放假通知"))
            #expect(answer.json["content"] == .string("元旦放假一天。"))
            #expect(answer.json["senderStaffId"] == .string("hr0007"))
            #expect(answer.json["privateLevel"] == .int(20))
            #expect(answer.json["gmtCreate"]?.stringValue?.count == 19)
            #expect(answer.json["attachments"]?.arrayValue?.first?["fileName"] == .string("安排.pdf"))
            #expect(answer.json["attachments"]?.arrayValue?.first?["dentryId"]?.stringValue?.isEmpty == false)
            await emulator.deleteAnnouncement(published.blackboardId)
            let gone = try await http.send("GET", path, headers: auth)
            #expect(gone.status == 400 && gone.json["code"] == .string("badRequest"))
        }
    }

    @Test("a custom robot over 20 a minute is refused with 130101, then 410100 while the penalty lasts")
    func customRobotThrottle() async throws {
        let robot = DingTalkEmulator.CustomRobot(accessToken: "robot-token", conversationId: "cidALERTS==")
        try await withDingTalk(.init(rateLimits: true, customRobots: [robot])) { emulator, http in
            let body = JSONValue.object(["msgtype": .string("text"), "text": .object(["content": .string("disk full")])])
            var codes: [Int64] = []
            for _ in 0..<22 {
                codes.append(try await http.post("/robot/send?access_token=robot-token", json: body).json["errcode"]?.int64Value ?? -1)
            }
            #expect(codes == Array(repeating: 0, count: 20) + [130101, 410100])
            #expect(await emulator.sent(conversation: "cidALERTS==").count == 20)
        }
    }

    @Test("a signature URL-encoded twice is refused with 310000")
    func doubleEncodedSignature() async throws {
        let secret = "SECabcdef0123456789"
        let robot = DingTalkEmulator.CustomRobot(accessToken: "robot-token", secret: secret, conversationId: "cidALERTS==")
        try await withDingTalk(.init(rateLimits: false, customRobots: [robot])) { emulator, http in
            // A timestamp whose signature has characters that URL-encoding changes.
            var timestamp = EmulatorHTTP.nowMilliseconds()
            while !DingTalkRobotMessages.signature(timestamp: String(timestamp), secret: secret).contains(where: { "+/=".contains($0) }) {
                timestamp -= 1
            }
            let sign = DingTalkRobotMessages.signature(timestamp: String(timestamp), secret: secret)
            let once = sign.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? sign
            let twice = once.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? once
            let body = JSONValue.object(["msgtype": .string("text"), "text": .object(["content": .string("hi")])])
            let refused = try await http.post("/robot/send?access_token=robot-token&timestamp=\(timestamp)&sign=\(twice)", json: body)
            #expect(refused.json["errcode"] == .int(310000))
            let accepted = try await http.post("/robot/send?access_token=robot-token&timestamp=\(timestamp)&sign=\(once)", json: body)
            #expect(accepted.json["errcode"] == .int(0))
            #expect(await emulator.stats().rejectedSignatures == 1)
        }
    }
}
