import Foundation
import Logging

/// What a connection's writer is told to do.
enum DingTalkStreamCommand: Sendable {
    case frame(String)
    case close
    /// Stop reading from the client, and so stop answering its WebSocket pings, but keep the
    /// connection open: a zombie as a client meets one.
    case zombie
}

/// The Stream mode side of the emulator: open connections, pushes, SYSTEM pings and disconnects.
///
/// As the Stream protocol page's FAQ says, only event subscriptions are pushed again: an EVENT
/// waits for its ACK and is redelivered after `ackTimeout` (it counts as consumed when its ACK has
/// code 200 and its data says `"status":"SUCCESS"` or no status, as the official SDKs answer;
/// `LATER` or another code pushes it again). Every other push is "fire-forgot": a robot message
/// (a CALLBACK) is written to one connection once, and an ACK serves diagnosis only — what a
/// connection swallows without acknowledging (it died, it was a zombie) is lost, and listed as
/// such (``unacknowledgedCallbacks()``). The page does not say what happens to a push while the
/// client has no connection open at all; this emulator holds it until one opens.
actor DingTalkStreamHub {
    static let robotTopic = "/v1.0/im/bot/messages/get"

    private struct Connection {
        let id: Int
        let subscriptions: [DingTalkSubscription]
        let continuation: AsyncStream<DingTalkStreamCommand>.Continuation
        var nextPing: ContinuousClock.Instant?
        /// Set once a disconnect was announced: no more pushes, closed at this time.
        var closeAt: ContinuousClock.Instant?
        var closing = false
        /// The connection stays open but nothing reaches the client any more: no pings, no
        /// pushes (the server believes it pushed). What a half-dead TCP path looks like.
        var zombie = false

        func subscribes(type: String, topic: String) -> Bool {
            subscriptions.contains { $0.type == type && ($0.topic == topic || ($0.type == "EVENT" && $0.topic == "*")) }
        }
    }

    private struct PendingPush {
        let messageID: String
        /// CALLBACK or EVENT.
        let type: String
        let topic: String
        /// Headers beyond the common ones (an EVENT's eventId, eventType, …).
        let headers: [String: JSONValue]
        let data: String
        var connection: Int?
        var deadline: ContinuousClock.Instant?
        var deliveries = 0
        /// Pushed once and never again (a robot message; a card click: the person sees it fail
        /// and clicks anew).
        var once = false
        /// Someone waits for the ACK's data (a card click's answer): kept pending after its push.
        var awaitsAnswer = false
    }

    private let configuration: DingTalkEmulator.Configuration
    private let appID: String
    private let logger: Logger
    private var connections: [Int: Connection] = [:]
    private var nextConnectionID = 0
    private var pending: [String: PendingPush] = [:]
    private var order: [String] = []
    private var pings: [String: (opaque: String, connection: Int)] = [:]
    /// The ACK data of one-shot callbacks, for whoever waits for the answer.
    private var answers: [String: String] = [:]
    /// Callbacks pushed once whose ACK has not come (by frame messageId: its data), oldest first,
    /// at most ``unacknowledgedLimit``: what a client lost, if it never committed them.
    private var unacknowledged: [String: String] = [:]
    private var unacknowledgedOrder: [String] = []
    static let unacknowledgedLimit = 10_000
    private var frameSequence = 0
    private var counters = DingTalkEmulator.StreamStats()

    init(configuration: DingTalkEmulator.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.appID = UUID().uuidString.lowercased()
    }

    // MARK: Connections

    func register(
        subscriptions: [DingTalkSubscription],
        continuation: AsyncStream<DingTalkStreamCommand>.Continuation
    ) -> Int {
        nextConnectionID += 1
        let id = nextConnectionID
        let firstPing = configuration.pingInterval.map { ContinuousClock.now + $0 }
        connections[id] = Connection(
            id: id,
            subscriptions: subscriptions,
            continuation: continuation,
            nextPing: firstPing,
            closeAt: nil
        )
        counters.connectionsOpened += 1
        counters.mostOpenAtOnce = max(counters.mostOpenAtOnce, connections.count)
        logger.debug("stream connection open", metadata: ["emulator.connection": "\(id)"])
        // Callbacks that waited for a connection go out now.
        for messageID in order where pending[messageID]?.connection == nil {
            deliver(messageID)
        }
        return id
    }

    func unregister(_ id: Int) {
        guard let connection = connections.removeValue(forKey: id) else { return }
        connection.continuation.finish()
        pings = pings.filter { $0.value.connection != id }
        logger.debug("stream connection closed", metadata: ["emulator.connection": "\(id)"])
    }

    var openConnections: Int { connections.count }

    var stats: DingTalkEmulator.StreamStats { counters }

    /// Announces a disconnect on every connection (SYSTEM "disconnect") and closes each after
    /// `disconnectGrace`, as the platform does when it rebalances.
    func disconnectAll(reason: String) {
        let closeAt = ContinuousClock.now + configuration.disconnectGrace
        for (id, var connection) in connections where connection.closeAt == nil {
            let data = JSONValue.object(["reason": .string(reason)]).jsonString
            connection.continuation.yield(.frame(systemFrame(topic: "disconnect", data: data).frame))
            connection.closeAt = closeAt
            connections[id] = connection
        }
    }

    /// Turns every open connection into a zombie: it stays open, and nothing reaches the client.
    func makeZombies() {
        for id in connections.keys {
            connections[id]?.zombie = true
            connections[id]?.continuation.yield(.zombie)
        }
    }

    /// Closes every connection now (server shutdown).
    func closeAll() {
        for connection in connections.values {
            connection.continuation.yield(.close)
        }
    }

    // MARK: Pushes

    /// Pushes a CALLBACK once to one subscribed connection (held until one opens when there is
    /// none) and returns its frame messageId.
    @discardableResult
    func publishCallback(topic: String, data: String) -> String {
        publish(type: "CALLBACK", topic: topic, headers: [:], data: data, once: true)
    }

    /// The callbacks pushed once whose ACK never came, oldest first: frame messageId and data.
    func unacknowledgedCallbacks() -> [(messageID: String, data: String)] {
        unacknowledgedOrder.compactMap { id in unacknowledged[id].map { (id, $0) } }
    }

    /// Pushes a CALLBACK once and waits up to `timeout` for its ACK, returning the ACK's data
    /// (nil when no subscribed connection answered in time: the push is then dropped, as the
    /// platform drops a card callback that timed out).
    func callbackAnswer(topic: String, data: String, timeout: Duration) async -> String? {
        let messageID = nextFrameMessageID()
        pending[messageID] = PendingPush(
            messageID: messageID,
            type: "CALLBACK",
            topic: topic,
            headers: [:],
            data: data,
            once: true,
            awaitsAnswer: true
        )
        order.append(messageID)
        deliver(messageID)
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if let answer = answers.removeValue(forKey: messageID) { return answer }
            try? await Task.sleep(for: .milliseconds(10))
        }
        pending[messageID] = nil
        order.removeAll { $0 == messageID }
        return answers.removeValue(forKey: messageID)
    }

    /// Pushes an EVENT (as the protocol page shows them: topic `*`, the event's identity in the
    /// headers, its body in `data`) and returns the eventId.
    @discardableResult
    func publishEvent(eventType: String, data: String) -> String {
        let eventID = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let born = String(EmulatorHTTP.nowMilliseconds())
        publish(
            type: "EVENT",
            topic: "*",
            headers: [
                "eventType": .string(eventType), "eventId": .string(eventID), "eventBornTime": .string(born),
                "eventCorpId": .string(configuration.corpID), "eventUnifiedAppId": .string(appID),
            ],
            data: data
        )
        return eventID
    }

    @discardableResult
    private func publish(type: String, topic: String, headers: [String: JSONValue], data: String, once: Bool = false) -> String {
        let messageID = nextFrameMessageID()
        pending[messageID] = PendingPush(messageID: messageID, type: type, topic: topic, headers: headers, data: data, once: once)
        order.append(messageID)
        deliver(messageID)
        return messageID
    }

    private func deliver(_ messageID: String) {
        guard var callback = pending[messageID] else { return }
        let candidates = connections.values.filter {
            $0.closeAt == nil && $0.subscribes(type: callback.type, topic: callback.topic)
        }
        // The platform picks one of the client's connections at random for each push.
        guard let connection = candidates.randomElement() else {
            callback.connection = nil
            callback.deadline = nil
            pending[messageID] = callback
            return
        }
        let headers: [String: JSONValue] = [
            "appId": .string(appID),
            "connectionId": .string(String(connection.id)),
            "contentType": .string("application/json"),
            "messageId": .string(messageID),
            "time": .string(String(EmulatorHTTP.nowMilliseconds())),
            "topic": .string(callback.topic),
        ].merging(callback.headers) { _, specific in specific }
        let frame = JSONValue.object([
            "specVersion": .string("1.0"),
            "type": .string(callback.type),
            "headers": .object(headers),
            "data": .string(callback.data),
        ])
        // A zombie swallows the push; the server cannot tell, and waits for the ACK in vain.
        if !connection.zombie { connection.continuation.yield(.frame(frame.jsonString)) }
        if callback.deliveries > 0 { counters.redeliveries += 1 }
        if callback.type == "EVENT" { counters.eventsPushed += 1 } else { counters.callbacksPushed += 1 }
        callback.deliveries += 1
        callback.connection = connection.id
        callback.deadline = .now + configuration.ackTimeout
        guard callback.once, !callback.awaitsAnswer else {
            pending[messageID] = callback
            return
        }
        // Fire and forget: written once; its ACK, if any, is only noted.
        pending[messageID] = nil
        order.removeAll { $0 == messageID }
        unacknowledged[messageID] = callback.data
        unacknowledgedOrder.append(messageID)
        if unacknowledgedOrder.count > Self.unacknowledgedLimit {
            unacknowledged[unacknowledgedOrder.removeFirst()] = nil
        }
    }

    // MARK: Client frames

    /// Handles a frame from a client: ACKs of callbacks and answers to pings. Anything else is
    /// logged and ignored; a malformed frame never closes the connection.
    func receive(_ text: String, from connectionID: Int) {
        guard let json = try? JSONValue.parse(text), let frame = json.objectValue else {
            counters.malformedFrames += 1
            logger.warning("malformed stream frame ignored", metadata: ["emulator.connection": "\(connectionID)"])
            return
        }
        guard let code = frame["code"]?.int64Value, let messageID = frame["headers"]?["messageId"]?.stringValue else {
            counters.malformedFrames += 1
            logger.warning(
                "stream frame without code or headers.messageId ignored",
                metadata: ["emulator.connection": "\(connectionID)"]
            )
            return
        }
        var deviations: [String] = []
        if frame["headers"]?["contentType"]?.stringValue != "application/json" { deviations.append("headers.contentType") }
        if frame["message"]?.stringValue == nil { deviations.append("message") }
        if frame["data"]?.stringValue == nil { deviations.append("data (a JSON string)") }
        if !deviations.isEmpty {
            // Accepted like the platform accepts it, but a client should follow the documented shape.
            logger.warning(
                "stream response lacks \(deviations.joined(separator: ", "))",
                metadata: ["emulator.connection": "\(connectionID)", "emulator.message": "\(messageID)"]
            )
        }
        if let ping = pings[messageID] {
            pings[messageID] = nil
            let opaque = frame["data"]?.stringValue.flatMap { try? JSONValue.parse($0) }?["opaque"]?.stringValue
            if code == 200, opaque == ping.opaque {
                counters.pingsAnswered += 1
            } else {
                logger.warning("ping answered without its opaque", metadata: ["emulator.connection": "\(connectionID)"])
            }
            return
        }
        if unacknowledged[messageID] != nil {
            // A fire-and-forget push: the ACK is diagnosis only, and settles nothing either way.
            if code == 200 {
                unacknowledged[messageID] = nil
                unacknowledgedOrder.removeAll { $0 == messageID }
                counters.callbacksAcknowledged += 1
            } else {
                logger.info("callback answered with code \(code)", metadata: ["emulator.message": "\(messageID)"])
            }
            return
        }
        guard let push = pending[messageID] else {
            logger.debug("ACK for an unknown or settled message", metadata: ["emulator.message": "\(messageID)"])
            return
        }
        if push.type == "EVENT" {
            // The protocol page: the data says SUCCESS (consumed) or LATER (push it again). The
            // official SDKs answer an event with code 200 and the event's own data echoed back,
            // no status at all (dingtalk-stream's EventHandler.raw_process), and the platform takes
            // that as consumed, or every SDK user would see each event ten times: so does this.
            let status = frame["data"]?.stringValue.flatMap { try? JSONValue.parse($0) }?["status"]?.stringValue
            if code == 200, status == nil || status == "SUCCESS" {
                pending[messageID] = nil
                order.removeAll { $0 == messageID }
                counters.eventsAcknowledged += 1
            } else {
                counters.eventsDeferred += 1
                if status != "LATER" && code == 200 {
                    logger.warning(
                        "event ACK with a status neither SUCCESS nor LATER; taken as not consumed",
                        metadata: ["emulator.message": "\(messageID)"]
                    )
                }
                // Pushed again after ackTimeout.
                var deferred = push
                deferred.deadline = .now + configuration.ackTimeout
                pending[messageID] = deferred
            }
            return
        }
        if code == 200 {
            pending[messageID] = nil
            order.removeAll { $0 == messageID }
            counters.callbacksAcknowledged += 1
            if push.once { answers[messageID] = frame["data"]?.stringValue ?? "" }
        } else {
            // Not a success: the push stays pending and is redelivered after ackTimeout.
            logger.info("callback answered with code \(code)", metadata: ["emulator.message": "\(messageID)"])
        }
    }

    // MARK: Timers

    /// Redelivers callbacks whose ACK is overdue, sends due pings and closes disconnected connections.
    func tick() {
        let now = ContinuousClock.now
        for messageID in order {
            guard let callback = pending[messageID] else { continue }
            if callback.connection == nil {
                deliver(messageID)
            } else if let deadline = callback.deadline, deadline <= now, !callback.once {
                if callback.deliveries >= configuration.maxDeliveries {
                    logger.warning(
                        "push dropped after \(callback.deliveries) deliveries without ACK",
                        metadata: ["emulator.message": "\(messageID)"]
                    )
                    pending[messageID] = nil
                } else {
                    deliver(messageID)
                }
            }
        }
        order.removeAll { pending[$0] == nil }
        for (id, var connection) in connections {
            if let closeAt = connection.closeAt {
                if closeAt <= now, !connection.closing {
                    connection.closing = true
                    connection.continuation.yield(.close)
                    connections[id] = connection
                }
                continue
            }
            guard !connection.zombie, let interval = configuration.pingInterval, let due = connection.nextPing, due <= now else { continue }
            let opaque = UUID().uuidString.lowercased()
            let ping = systemFrame(topic: "ping", data: JSONValue.object(["opaque": .string(opaque)]).jsonString)
            connection.continuation.yield(.frame(ping.frame))
            pings[ping.messageID] = (opaque, id)
            counters.pingsSent += 1
            connection.nextPing = now + interval
            connections[id] = connection
        }
    }

    /// How often ``tick()`` should run for the configured timings.
    nonisolated static func tickInterval(for configuration: DingTalkEmulator.Configuration) -> Duration {
        var shortest = min(configuration.ackTimeout, configuration.disconnectGrace)
        if let ping = configuration.pingInterval { shortest = min(shortest, ping) }
        return min(max(shortest / 5, .milliseconds(10)), .milliseconds(250))
    }

    // MARK: Frames

    private func systemFrame(topic: String, data: String) -> (messageID: String, frame: String) {
        let messageID = nextFrameMessageID()
        let frame = JSONValue.object([
            "specVersion": .string("1.0"),
            "type": .string("SYSTEM"),
            "headers": .object([
                "contentType": .string("application/json"),
                "messageId": .string(messageID),
                "time": .string(String(EmulatorHTTP.nowMilliseconds())),
                "topic": .string(topic),
            ]),
            "data": .string(data),
        ])
        return (messageID, frame.jsonString)
    }

    /// Message ids shaped like the platform's ("212ca9d7_974_1898c159aa6_1783b").
    private func nextFrameMessageID() -> String {
        frameSequence += 1
        let prefix = String(UInt32.random(in: 0x1000_0000...UInt32.max), radix: 16)
        return "\(prefix)_\(Int.random(in: 100...999))_\(String(EmulatorHTTP.nowMilliseconds(), radix: 16))_\(String(frameSequence, radix: 16))"
    }
}
