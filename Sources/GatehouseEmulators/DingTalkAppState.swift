import Foundation
import Logging

/// A Stream mode subscription, as registered with `gateway/connections/open`.
struct DingTalkSubscription: Sendable, Equatable {
    var type: String
    var topic: String
}

/// The state of the emulated DingTalk app: access tokens, stream tickets, robot sessions,
/// what the robots sent, counters and throttling.
actor DingTalkAppState {
    private struct Ticket {
        var subscriptions: [DingTalkSubscription]
        var expires: ContinuousClock.Instant
    }

    private struct SentMessage {
        var conversation: String
        var recalled: Bool
        /// Sent with oToMessages/batchSend (recalled with otoMessages/batchRecall).
        var oneToOne: Bool
    }

    let configuration: DingTalkEmulator.Configuration
    let logger: Logger
    /// Where robot messages are posted (signed) instead of pushed over Stream, when set.
    var callbackURL: String?
    /// HTTP callbacks posted, and the statuses they were answered with.
    var callbackStatuses: [Int] = []

    func setCallbackURL(_ url: String?) {
        callbackURL = url
    }

    func recordCallback(status: Int) {
        callbackStatuses.append(status)
    }

    private var accessToken: (value: String, expires: ContinuousClock.Instant)?
    private var tickets: [String: Ticket] = [:]
    private var sessions: [String: (conversation: String, expires: Int64)] = [:]
    private var customRobots: [String: DingTalkEmulator.CustomRobot] = [:]
    private var robotWindows: [String: SlidingWindow] = [:]
    private var robotThrottledUntil: [String: ContinuousClock.Instant] = [:]
    private var robotMessageUUIDs: Set<String> = []
    private var apiWindows: [String: SlidingWindow] = [:]
    private var processQueryKeys: [String: SentMessage] = [:]
    private var sentRecords: [DingTalkEmulator.SentRecord] = []
    private var blackboards: [String: StoredBlackboard] = [:]
    /// Files people sent the robot, by download code.
    var receivedFiles: [String: DingTalkMedia] = [:]
    /// The download code of the last file a person sent.
    var lastReceivedCode: String?
    /// Temporary download links messageFiles/download handed out: link token → download code.
    var downloadLinks: [String: String] = [:]
    /// Files uploaded with media/upload, by media_id.
    var uploadedMedia: [String: DingTalkMedia] = [:]
    /// The directory: people by userid, departments by id.
    var people: [String: DingTalkEmulator.Person] = [:]
    /// Interactive cards by outTrackId, and the card callback addresses by route key.
    var cards: [String: DingTalkEmulator.Card] = [:]
    var cardCallbacks: [String: (url: String, secret: String?)] = [:]
    var departments: [Int64: DingTalkEmulator.Department] = [:]
    /// Sign-in: authorization codes not yet exchanged, and the people's tokens.
    var signInCodes: [String: DingTalkAppState.SignInCode] = [:]
    var userTokens: [String: DingTalkAppState.UserToken] = [:]
    var refreshTokens: [String: DingTalkAppState.UserToken] = [:]
    private var requestCount = 0
    private var rateLimitedCount = 0
    private var rejectedSignatureCount = 0

    init(configuration: DingTalkEmulator.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        for robot in configuration.customRobots {
            customRobots[robot.accessToken] = robot
        }
    }

    // MARK: Counters and records

    func countRequest() {
        requestCount += 1
    }

    func countRejectedSignature() {
        rejectedSignatureCount += 1
    }

    func stats() -> DingTalkEmulator.Stats {
        DingTalkEmulator.Stats(
            requests: requestCount,
            rateLimited: rateLimitedCount,
            rejectedSignatures: rejectedSignatureCount
        )
    }

    func sent(conversation: String?) -> [DingTalkEmulator.SentRecord] {
        guard let conversation, !conversation.isEmpty else { return sentRecords }
        return sentRecords.filter { $0.conversation == conversation }
    }

    /// Records a send and returns its new processQueryKey.
    func recordSend(api: String, conversation: String, msgKey: String, content: String?, recallable: Bool, mediaId: String? = nil) -> String {
        let key = Self.randomKey(bytes: 24)
        if recallable {
            processQueryKeys[key] = SentMessage(conversation: conversation, recalled: false, oneToOne: api == "oToMessages/batchSend")
        }
        var record = DingTalkEmulator.SentRecord(
            api: api,
            conversation: conversation,
            msgKey: msgKey,
            content: content,
            processQueryKey: key
        )
        record.mediaId = mediaId
        sentRecords.append(record)
        return key
    }

    /// Recalls messages by processQueryKey: a group's (`conversation`), or one-to-one ones (nil);
    /// returns the recalled keys and why the others failed.
    func recall(keys: [String], conversation: String?) -> (recalled: [String], failed: [String: String]) {
        var recalled: [String] = []
        var failed: [String: String] = [:]
        for key in keys {
            guard var message = processQueryKeys[key], message.conversation == conversation ?? message.conversation,
                (conversation == nil) == message.oneToOne
            else {
                failed[key] = "invalid.processQueryKey"
                continue
            }
            guard !message.recalled else {
                failed[key] = "message.recalled"
                continue
            }
            message.recalled = true
            processQueryKeys[key] = message
            recalled.append(key)
            sentRecords.append(
                DingTalkEmulator.SentRecord(
                    api: conversation == nil ? "otoMessages/batchRecall" : "groupMessages/recall",
                    conversation: message.conversation,
                    processQueryKey: key
                )
            )
        }
        return (recalled, failed)
    }

    // MARK: Announcements

    /// Stores a published announcement and returns it.
    func publish(_ announcement: DingTalkEmulator.Announcement) -> StoredBlackboard {
        let blackboard = StoredBlackboard(
            id: Self.randomHex(bytes: 16),
            announcement: announcement,
            categoryID: Self.randomHex(bytes: 16),
            created: Date()
        )
        blackboards[blackboard.id] = blackboard
        return blackboard
    }

    /// An announcement that was published and not deleted.
    func blackboard(_ id: String) -> StoredBlackboard? {
        blackboards[id].flatMap { $0.deleted ? nil : $0 }
    }

    /// Deletes an announcement: `get_blackboard` no longer finds it.
    func deleteBlackboard(_ id: String) -> Bool {
        guard blackboards[id]?.deleted == false else { return false }
        blackboards[id]?.deleted = true
        return true
    }

    // MARK: Throttling

    /// 20 QPS per app per API; answers the throttling error (and counts it) when over.
    func admitAPICall(_ api: String) throws {
        guard configuration.rateLimits else { return }
        let now = ContinuousClock.now
        var window = apiWindows[api] ?? SlidingWindow(limit: 20, window: .seconds(1))
        if window.wait(at: now) > .zero {
            apiWindows[api] = window
            rateLimitedCount += 1
            throw DingTalkAPIError.qpsLimit
        }
        window.record(at: now)
        apiWindows[api] = window
    }

    // MARK: Access tokens

    /// The app's access token. While one is valid the same token is returned and its lifetime
    /// renewed, as the documentation describes; after expiry a new one is issued.
    func issueAccessToken(appKey: String, appSecret: String) throws -> (token: String, expiresIn: Int) {
        guard Self.constantTimeEqual(appKey, configuration.clientID),
            Self.constantTimeEqual(appSecret, configuration.clientSecret)
        else {
            throw DingTalkAPIError.openAPI("invalidClientIdOrSecret", "无效的clientId或者clientSecret")
        }
        let now = ContinuousClock.now
        let lifetime = Duration.seconds(configuration.accessTokenLifetime)
        if let current = accessToken, current.expires > now {
            accessToken = (current.value, now + lifetime)
            return (current.value, configuration.accessTokenLifetime)
        }
        let token = Self.randomHex(bytes: 16)
        accessToken = (token, now + lifetime)
        return (token, configuration.accessTokenLifetime)
    }

    func isValidAccessToken(_ token: String) -> Bool {
        guard let current = accessToken, current.expires > .now else { return false }
        return Self.constantTimeEqual(token, current.value)
    }

    // MARK: Stream tickets

    func openConnection(clientID: String, clientSecret: String, subscriptions: [DingTalkSubscription]) throws -> String {
        guard Self.constantTimeEqual(clientID, configuration.clientID),
            Self.constantTimeEqual(clientSecret, configuration.clientSecret)
        else {
            throw DingTalkAPIError.openAPI("invalidClientIdOrSecret", "无效的clientId或者clientSecret", status: 401)
        }
        let now = ContinuousClock.now
        tickets = tickets.filter { $0.value.expires > now }
        let ticket = UUID().uuidString.lowercased()
        tickets[ticket] = Ticket(subscriptions: subscriptions, expires: now + configuration.ticketLifetime)
        return ticket
    }

    /// Uses a ticket up: it opens one connection, once, before it expires.
    func redeemTicket(_ ticket: String) -> [DingTalkSubscription]? {
        guard let grant = tickets.removeValue(forKey: ticket) else { return nil }
        guard grant.expires > .now else { return nil }
        return grant.subscriptions
    }

    // MARK: Robot sessions (sessionWebhook)

    func openSession(conversation: String, lifetime: Int64) -> (session: String, expires: Int64) {
        let session = Self.randomHex(bytes: 16)
        let expires = EmulatorHTTP.nowMilliseconds() + lifetime
        sessions[session] = (conversation, expires)
        return (session, expires)
    }

    func sessionConversation(_ session: String) -> String? {
        guard let entry = sessions[session], entry.expires > EmulatorHTTP.nowMilliseconds() else { return nil }
        return entry.conversation
    }

    // MARK: Custom robots

    func register(_ robot: DingTalkEmulator.CustomRobot) {
        customRobots[robot.accessToken] = robot
    }

    func customRobot(_ accessToken: String) -> DingTalkEmulator.CustomRobot? {
        customRobots[accessToken]
    }

    /// 20 messages per minute per robot; going over throttles the robot for a while (10 minutes
    /// on the platform).
    func admitRobotMessage(_ accessToken: String) throws {
        guard configuration.rateLimits else { return }
        let now = ContinuousClock.now
        if let until = robotThrottledUntil[accessToken], until > now {
            rateLimitedCount += 1
            throw DingTalkAPIError.legacy(410100, "发送速度太快而限流")
        }
        var window = robotWindows[accessToken] ?? SlidingWindow(limit: 20, window: .seconds(60))
        if window.wait(at: now) > .zero {
            robotWindows[accessToken] = window
            robotThrottledUntil[accessToken] = now + configuration.customRobotThrottle
            rateLimitedCount += 1
            // The message that goes over the limit is refused with the code seen in the field;
            // the ones during the penalty with the documented 410100 (a client must know both).
            throw DingTalkAPIError.legacy(130101, "send too fast, exceed 20 times per minute")
        }
        window.record(at: now)
        robotWindows[accessToken] = window
    }

    /// Whether a message with this msgUuid was already sent by the robot (then it is not sent again).
    func isDuplicate(robot: String, messageUUID: String) -> Bool {
        !robotMessageUUIDs.insert("\(robot)\u{0}\(messageUUID)").inserted
    }

    // MARK: Helpers

    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<min(left.count, right.count) {
            difference |= left[index] ^ right[index]
        }
        return difference == 0
    }

    static func randomHex(bytes: Int) -> String {
        (0..<bytes).map { _ in
            let byte = UInt8.random(in: 0...255)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }

    static func randomKey(bytes: Int) -> String {
        Data((0..<bytes).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }
}
