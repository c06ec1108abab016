import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import Logging
import ServiceLifecycle
import Testing

@testable import GatehouseEmulators

/// Quiet loggers: the emulators log refused tickets and the like at notice level.
func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .warning
    return logger
}

/// A test HTTP answer: status code and parsed JSON body.
struct HTTPAnswer {
    var status: Int
    var json: JSONValue
    var text: String
}

/// A small HTTP client against one emulator.
struct TestHTTP {
    let client: HTTPClient
    let base: String

    func send(
        _ method: String,
        _ path: String,
        body: String? = nil,
        contentType: String = "application/json",
        headers: [(String, String)] = []
    ) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: base + path)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "content-type", value: contentType)
            request.body = .bytes(Array(body.utf8))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 4 << 20)
        let bytes = Array(buffer.readableBytesView)
        let text = String(decoding: bytes, as: UTF8.self)
        let json = (try? JSONValue.parse(bytes)) ?? .null
        return HTTPAnswer(status: Int(response.status.code), json: json, text: text)
    }

    func post(_ path: String, json: JSONValue, headers: [(String, String)] = []) async throws -> HTTPAnswer {
        try await send("POST", path, body: json.jsonString, headers: headers)
    }

    func get(_ path: String) async throws -> HTTPAnswer {
        try await send("GET", path)
    }
}

/// Runs `service` in a ServiceGroup, waits for it to listen, runs `body` with an HTTP client
/// against it, then shuts the service down gracefully and waits until it has stopped. A failing
/// body cancels the service instead.
func withLiveServer<Result: Sendable>(
    _ service: some Service & Sendable,
    port: @escaping @Sendable () async throws -> Int,
    _ body: @Sendable (TestHTTP, Int) async throws -> Result
) async throws -> Result {
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    let serviceGroup = ServiceGroup(services: [service], logger: testLogger("test.services"))
    do {
        let result = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await serviceGroup.run() }
            let bound = try await port()
            let result = try await body(TestHTTP(client: client, base: "http://127.0.0.1:\(bound)"), bound)
            // Idle keep-alive connections go first so that the server's drain is immediate.
            try await client.shutdown()
            await serviceGroup.triggerGracefulShutdown()
            try await group.next()
            return result
        }
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// The Telegram emulator on a live port; every integer chat id is open unless `openChats` is false
/// (these tests are about other behaviour: the closed default has a test of its own).
func withTelegram<Result: Sendable>(
    _ configuration: TelegramEmulator.Configuration = .init(),
    openChats: Bool = true,
    _ body: @Sendable (TelegramEmulator, TestHTTP) async throws -> Result
) async throws -> Result {
    var configuration = configuration
    configuration.openChats = openChats
    let emulator = TelegramEmulator(configuration: configuration, logger: testLogger("test.telegram"))
    let port: @Sendable () async throws -> Int = { try await emulator.port() }
    return try await withLiveServer(emulator, port: port) { http, _ in
        try await body(emulator, http)
    }
}

func withDingTalk<Result: Sendable>(
    _ configuration: DingTalkEmulator.Configuration = .init(),
    _ body: @Sendable (DingTalkEmulator, TestHTTP) async throws -> Result
) async throws -> Result {
    let emulator = DingTalkEmulator(configuration: configuration, logger: testLogger("test.dingtalk"))
    let port: @Sendable () async throws -> Int = { try await emulator.port() }
    return try await withLiveServer(emulator, port: port) { http, _ in
        try await body(emulator, http)
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(
    timeout: Duration = .seconds(3),
    _ condition: @Sendable () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

// MARK: Stream client

/// A scripted DingTalk Stream client: records every frame it receives, answers pings and ACKs
/// callbacks as told, and can send raw frames.
actor StreamRecorder {
    private(set) var frames: [JSONValue] = []
    private var outgoing: [String] = []
    var ackCallbacks: Bool
    var ackFromDelivery: Int
    var answerPings: Bool
    /// The ACK data for each delivery of an EVENT, in turn (the last one repeats); nil answers nothing.
    var eventAnswers: [String?]
    private var deliveriesSeen: [String: Int] = [:]

    init(
        ackCallbacks: Bool = true,
        ackFromDelivery: Int = 1,
        answerPings: Bool = true,
        eventAnswers: [String?] = [#"{"status":"SUCCESS","message":"success"}"#]
    ) {
        self.ackCallbacks = ackCallbacks
        self.ackFromDelivery = ackFromDelivery
        self.answerPings = answerPings
        self.eventAnswers = eventAnswers
    }

    func setAckCallbacks(_ value: Bool) { ackCallbacks = value }

    func enqueueRaw(_ text: String) { outgoing.append(text) }

    func takeOutgoing() -> [String] {
        defer { outgoing.removeAll() }
        return outgoing
    }

    /// Records a frame and returns what to answer, if anything.
    func receive(_ frame: JSONValue) -> String? {
        frames.append(frame)
        guard let messageID = frame["headers"]?["messageId"]?.stringValue else { return nil }
        let type = frame["type"]?.stringValue
        let topic = frame["headers"]?["topic"]?.stringValue
        if type == "SYSTEM", topic == "ping", answerPings {
            return JSONValue.object([
                "code": .int(200), "message": .string("OK"),
                "headers": .object(["messageId": .string(messageID), "contentType": .string("application/json")]),
                "data": frame["data"] ?? .string("{}"),
            ]).jsonString
        }
        if type == "EVENT" {
            deliveriesSeen[messageID, default: 0] += 1
            let delivery = deliveriesSeen[messageID, default: 1]
            guard let data = eventAnswers[min(delivery, eventAnswers.count) - 1] else { return nil }
            return JSONValue.object([
                "code": .int(200), "message": .string("OK"),
                "headers": .object(["messageId": .string(messageID), "contentType": .string("application/json")]),
                "data": .string(data),
            ]).jsonString
        }
        if type == "CALLBACK" {
            deliveriesSeen[messageID, default: 0] += 1
            guard ackCallbacks, deliveriesSeen[messageID, default: 0] >= ackFromDelivery else { return nil }
            return JSONValue.object([
                "code": .int(200), "message": .string("OK"),
                "headers": .object(["messageId": .string(messageID), "contentType": .string("application/json")]),
                "data": .string("{\"response\":null}"),
            ]).jsonString
        }
        return nil
    }

    func frames(type: String, topic: String? = nil) -> [JSONValue] {
        frames.filter {
            $0["type"]?.stringValue == type && (topic == nil || $0["headers"]?["topic"]?.stringValue == topic)
        }
    }
}

/// Opens a Stream connection (registration + WebSocket) and runs it until cancelled or closed
/// by the server.
func runStreamClient(http: TestHTTP, configuration: DingTalkEmulator.Configuration, recorder: StreamRecorder) async throws {
    let url = try await streamURL(http: http, configuration: configuration)
    try await connectStream(url: url, recorder: recorder)
}

func streamURL(http: TestHTTP, configuration: DingTalkEmulator.Configuration) async throws -> String {
    let answer = try await http.post(
        "/v1.0/gateway/connections/open",
        json: .object([
            "clientId": .string(configuration.clientID),
            "clientSecret": .string(configuration.clientSecret),
            "subscriptions": .array([
                .object(["type": .string("EVENT"), "topic": .string("*")]),
                .object(["type": .string("CALLBACK"), "topic": .string("/v1.0/im/bot/messages/get")]),
            ]),
            "ua": .string("gatehouse-tests/1.0"),
            "localIp": .string("127.0.0.1"),
        ])
    )
    let endpoint = try #require(answer.json["endpoint"]?.stringValue)
    let ticket = try #require(answer.json["ticket"]?.stringValue)
    return endpoint + "?ticket=" + (ticket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ticket)
}

func connectStream(url: String, recorder: StreamRecorder) async throws {
    try await WebSocketClient.connect(url: url, logger: testLogger("test.stream")) { inbound, outbound, _ in
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Raw frames a test wants to send (e.g. garbage).
                while !Task.isCancelled {
                    for text in await recorder.takeOutgoing() {
                        try await outbound.write(.text(text))
                    }
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message, let frame = try? JSONValue.parse(text) else { continue }
                if let answer = await recorder.receive(frame) {
                    try await outbound.write(.text(answer))
                }
            }
            group.cancelAll()
        }
    }
}
