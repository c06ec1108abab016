import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import ServiceLifecycle
import Synchronization
import Testing

@testable import GatehouseEmulators

/// Short timings so that redelivery and pings happen within a test's first second.
private let fast = DingTalkEmulator.Configuration(
    pingInterval: nil,
    ackTimeout: .milliseconds(300),
    disconnectGrace: .milliseconds(300),
    rateLimits: false
)

private func message(_ text: String, conversation: String = "cidAAA==") -> DingTalkEmulator.InjectedMessage {
    .init(conversationId: conversation, conversationType: "2", senderStaffId: "manager4220", senderNick: "王经理", text: text)
}

/// Runs a Stream client next to the test body and stops it afterwards.
private func withStreamClient<Result: Sendable>(
    _ http: TestHTTP,
    _ configuration: DingTalkEmulator.Configuration,
    _ recorder: StreamRecorder,
    _ body: @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await runStreamClient(http: http, configuration: configuration, recorder: recorder) }
        let result = try await body()
        group.cancelAll()
        return result
    }
}

@Suite("DingTalk emulator: Stream mode", .timeLimit(.minutes(2)))
struct DingTalkStreamTests {
    @Test("a ticket opens one connection only")
    func singleUseTicket() async throws {
        try await withDingTalk(fast) { emulator, http in
            let url = try await streamURL(http: http, configuration: fast)
            let recorder = StreamRecorder()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await connectStream(url: url, recorder: recorder) }
                let connected = try await eventually { await emulator.openConnections() == 1 }
                #expect(connected)
                await #expect(throws: (any Error).self) {
                    try await connectStream(url: url, recorder: StreamRecorder())
                }
                #expect(await emulator.openConnections() == 1)
                group.cancelAll()
            }
            await #expect(throws: (any Error).self) {
                try await connectStream(url: url.replacingOccurrences(of: "ticket=", with: "ticket=x"), recorder: StreamRecorder())
            }
            let refused = try await http.post(
                "/v1.0/gateway/connections/open",
                json: .object([
                    "clientId": .string(fast.clientID), "clientSecret": .string("wrong"),
                    "subscriptions": .array([.object(["type": .string("CALLBACK"), "topic": .string("/v1.0/im/bot/messages/get")])]),
                ])
            )
            #expect(refused.status == 401)
        }
    }

    @Test("an expired ticket is refused")
    func expiredTicket() async throws {
        let configuration = {
            var configuration = fast
            configuration.ticketLifetime = .milliseconds(100)
            return configuration
        }()
        try await withDingTalk(configuration) { _, http in
            let url = try await streamURL(http: http, configuration: configuration)
            try await Task.sleep(for: .milliseconds(200))
            await #expect(throws: (any Error).self) { try await connectStream(url: url, recorder: StreamRecorder()) }
        }
    }

    @Test("a robot CALLBACK is pushed once as documented, never again, and listed as lost while unacknowledged")
    func robotMessagesAreFireAndForget() async throws {
        try await withDingTalk(fast) { emulator, http in
            // Acknowledges nothing: a second delivery would be the first it ACKs.
            let recorder = StreamRecorder(ackFromDelivery: 2)
            try await withStreamClient(http, fast, recorder) {
                #expect(try await eventually { await emulator.openConnections() == 1 })
                let msgID = try await emulator.inject(message("紧急通知"))
                #expect(try await eventually { await recorder.frames(type: "CALLBACK").count == 1 })
                // Three ACK timeouts: an event would have been pushed again by now.
                try await Task.sleep(for: .milliseconds(900))
                let callbacks = await recorder.frames(type: "CALLBACK")
                #expect(callbacks.count == 1)
                let first = try #require(callbacks.first)
                #expect(first["specVersion"] == .string("1.0"))
                #expect(first["headers"]?["topic"] == .string("/v1.0/im/bot/messages/get"))
                #expect(first["headers"]?["contentType"] == .string("application/json"))
                let data = try JSONValue.parse(try #require(first["data"]?.stringValue))
                #expect(data["msgId"] == .string(msgID))
                #expect(data["msgtype"] == .string("text"))
                #expect(data["text"]?["content"]?.stringValue?.trimmingCharacters(in: .whitespaces) == "紧急通知")
                #expect(data["conversationId"] == .string("cidAAA=="))
                #expect(data["conversationType"] == .string("2"))
                #expect(data["senderStaffId"] == .string("manager4220"))
                #expect(data["senderNick"] == .string("王经理"))
                #expect(data["robotCode"] == .string(fast.robotCode))
                #expect(data["isInAtList"] == .bool(true))
                #expect(data["createAt"]?.int64Value != nil)
                #expect(data["sessionWebhook"]?.stringValue?.contains("/robot/sendBySession?session=") == true)
                let stats = await emulator.streamStats()
                #expect(stats.callbacksPushed == 1 && stats.redeliveries == 0 && stats.callbacksAcknowledged == 0)
                #expect(await emulator.unacknowledged().map(\.msgId) == [msgID])
                #expect(await emulator.unacknowledged().map(\.messageId) == [first["headers"]?["messageId"]?.stringValue])
            }
        }
    }

    @Test("an ACK takes a robot message off the unacknowledged list")
    func acknowledgedRobotMessagesAreNotListed() async throws {
        try await withDingTalk(fast) { emulator, http in
            let recorder = StreamRecorder()
            try await withStreamClient(http, fast, recorder) {
                _ = try await emulator.inject(message("收到"))
                #expect(try await eventually { await emulator.streamStats().callbacksAcknowledged == 1 })
                #expect(await emulator.unacknowledged().isEmpty)
            }
        }
    }

    @Test("an ACKed CALLBACK is not pushed again; messages wait for a connection")
    func ackedAndQueued() async throws {
        // A timeout a loaded machine's ACK still beats; the wait below outlasts it.
        let patient = {
            var configuration = fast
            configuration.ackTimeout = .seconds(2)
            return configuration
        }()
        try await withDingTalk(patient) { emulator, http in
            _ = try await emulator.inject(message("sent while nobody listens"))
            let recorder = StreamRecorder()
            try await withStreamClient(http, patient, recorder) {
                #expect(try await eventually { await recorder.frames(type: "CALLBACK").count == 1 })
                _ = try await emulator.inject(message("second"))
                #expect(try await eventually { await recorder.frames(type: "CALLBACK").count == 2 })
                try await Task.sleep(for: .milliseconds(2500))
                #expect(await recorder.frames(type: "CALLBACK").count == 2)
                #expect(await emulator.streamStats().redeliveries == 0)
            }
        }
    }

    @Test("pings carry an opaque the client must echo")
    func pings() async throws {
        let configuration = {
            var configuration = fast
            configuration.pingInterval = .milliseconds(150)
            return configuration
        }()
        try await withDingTalk(configuration) { emulator, http in
            let recorder = StreamRecorder()
            try await withStreamClient(http, configuration, recorder) {
                #expect(try await eventually { await emulator.streamStats().pingsAnswered >= 2 })
                let ping = try #require(await recorder.frames(type: "SYSTEM", topic: "ping").first)
                let data = try JSONValue.parse(try #require(ping["data"]?.stringValue))
                #expect(data["opaque"]?.stringValue?.isEmpty == false)
                #expect(ping["headers"]?["messageId"]?.stringValue != nil)
            }
            let stats = await emulator.streamStats()
            #expect(stats.pingsAnswered <= stats.pingsSent)
        }
    }

    @Test("a malformed client frame is ignored and the connection keeps working")
    func malformedFrame() async throws {
        try await withDingTalk(fast) { emulator, http in
            let recorder = StreamRecorder()
            try await withStreamClient(http, fast, recorder) {
                #expect(try await eventually { await emulator.openConnections() == 1 })
                await recorder.enqueueRaw("this is not json")
                await recorder.enqueueRaw(#"{"code":200}"#)
                #expect(try await eventually { await emulator.streamStats().malformedFrames == 2 })
                _ = try await emulator.inject(message("still here"))
                #expect(try await eventually { await recorder.frames(type: "CALLBACK").count == 1 })
                #expect(await emulator.openConnections() == 1)
            }
        }
    }

    @Test("disconnectAll announces a disconnect and closes the connection after the grace")
    func disconnect() async throws {
        try await withDingTalk(fast) { emulator, http in
            let recorder = StreamRecorder()
            try await withStreamClient(http, fast, recorder) {
                #expect(try await eventually { await emulator.openConnections() == 1 })
                await emulator.disconnectAll()
                #expect(try await eventually { await recorder.frames(type: "SYSTEM", topic: "disconnect").count == 1 })
                #expect(try await eventually { await emulator.openConnections() == 0 })
                // A message now waits for the next connection.
                _ = try await emulator.inject(message("after the disconnect"))
                try await Task.sleep(for: .milliseconds(100))
                #expect(await recorder.frames(type: "CALLBACK").isEmpty)
            }
        }
    }

    @Test("a graceful shutdown closes open Stream connections promptly")
    func shutdownWithOpenConnection() async throws {
        let emulator = DingTalkEmulator(configuration: fast, logger: testLogger("test.dingtalk"))
        let serviceGroup = ServiceGroup(services: [emulator], logger: testLogger("test.group"))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await serviceGroup.run() }
            let http = TestHTTP(client: client, base: "http://127.0.0.1:\(try await emulator.port())")
            let url = try await streamURL(http: http, configuration: fast)
            let recorder = StreamRecorder()
            async let connection: Void = connectStream(url: url, recorder: recorder)
            let connected = try await eventually { await emulator.openConnections() == 1 }
            #expect(connected)
            try await client.shutdown()
            let started = ContinuousClock.now
            await serviceGroup.triggerGracefulShutdown()
            try await group.next()
            // The client sees the server close the connection.
            _ = try? await connection
            #expect(ContinuousClock.now - started < .seconds(4))
        }
    }

    @Test("the robot message's session webhook accepts replies into its conversation")
    func sessionWebhook() async throws {
        try await withDingTalk(fast) { emulator, http in
            let recorder = StreamRecorder()
            try await withStreamClient(http, fast, recorder) {
                _ = try await emulator.inject(message("ping", conversation: "cidSESSION=="))
                let received = try await eventually { await recorder.frames(type: "CALLBACK").count == 1 }
                #expect(received)
                let frame = try #require(await recorder.frames(type: "CALLBACK").first)
                let data = try JSONValue.parse(try #require(frame["data"]?.stringValue))
                let webhook = try #require(data["sessionWebhook"]?.stringValue)
                let path = try #require(webhook.range(of: "/robot/sendBySession")).lowerBound
                let reply = try await http.post(
                    String(webhook[path...]),
                    json: .object(["msgtype": .string("text"), "text": .object(["content": .string("pong")])])
                )
                #expect(reply.json["errcode"] == .int(0))
                let unknown = try await http.post(
                    "/robot/sendBySession?session=nope",
                    json: .object(["msgtype": .string("text"), "text": .object(["content": .string("x")])])
                )
                #expect(unknown.json["errcode"] != .int(0))
                #expect(await emulator.sent(conversation: "cidSESSION==").map(\.content) == ["pong"])
            }
        }
    }

    @Test("a zombie connection stays open but answers no WebSocket ping, so a pinging client notices it")
    func zombieAnswersNoPing() async throws {
        try await withDingTalk(fast) { emulator, http in
            let url = try await streamURL(http: http, configuration: fast)
            let ended = Mutex<ContinuousClock.Instant?>(nil)
            let client = Task {
                // Pings every 500 ms; a ping unanswered by the next one closes the connection (a
                // shorter period is missed by a server answering on a busy machine).
                _ = try? await WebSocketClient.connect(
                    url: url,
                    configuration: .init(autoPing: .enabled(timePeriod: .milliseconds(500))),
                    logger: testLogger("test.stream")
                ) { inbound, _, _ in
                    for try await _ in inbound.messages(maxSize: 1 << 20) {}
                }
                ended.withLock { $0 = .now }
            }
            defer { client.cancel() }
            #expect(try await eventually { await emulator.openConnections() == 1 })
            // Answered, the pings keep it open.
            try await Task.sleep(for: .milliseconds(1600))
            #expect(ended.withLock { $0 } == nil)
            let zombified = ContinuousClock.now
            await emulator.makeZombies()
            #expect(try await eventually { ended.withLock { $0 } != nil })
            let noticed = try #require(ended.withLock { $0 })
            #expect(noticed - zombified < .seconds(3))
        }
    }
}
