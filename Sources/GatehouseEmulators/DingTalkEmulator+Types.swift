import Foundation

extension DingTalkEmulator {
    /// A custom group robot (webhook robot) the emulator accepts at `POST /robot/send`.
    public struct CustomRobot: Codable, Sendable, Equatable {
        /// The webhook's `access_token`.
        public var accessToken: String
        /// The signing secret ("SEC…"); when set, `timestamp` and `sign` are required and checked.
        public var secret: String?
        /// Security keywords; when any are set, a message must contain one.
        public var keywords: [String]
        /// The group the robot posts into (the `conversation` of its sent records).
        public var conversationId: String

        /// A robot posting into `conversationId` (a name derived from the token when nil).
        public init(accessToken: String, secret: String? = nil, keywords: [String] = [], conversationId: String? = nil) {
            self.accessToken = accessToken
            self.secret = secret
            self.keywords = keywords
            self.conversationId = conversationId ?? "cidRobot\(accessToken.prefix(8))=="
        }

        enum CodingKeys: String, CodingKey {
            case accessToken, secret, keywords, conversationId
        }

        /// Decodes `{"accessToken":"…","secret":"SEC…","keywords":[…],"conversationId":"cid…"}`;
        /// only `accessToken` is required.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                accessToken: try container.decode(String.self, forKey: .accessToken),
                secret: try container.decodeIfPresent(String.self, forKey: .secret),
                keywords: try container.decodeIfPresent([String].self, forKey: .keywords) ?? [],
                conversationId: try container.decodeIfPresent(String.self, forKey: .conversationId)
            )
        }
    }

    /// A person writes to the robot, for `POST /_emulator/messages` and ``DingTalkEmulator/inject(_:)``.
    ///
    /// JSON: `{"conversationId":"cid…","conversationType":"1|2","senderStaffId":"…","senderNick":"…","text":"…"}`.
    public struct InjectedMessage: Codable, Sendable, Equatable {
        /// The conversation (openConversationId) the person writes in.
        public var conversationId: String
        /// "1" one-to-one, "2" group.
        public var conversationType: String
        /// The sender's userId in the organisation.
        public var senderStaffId: String
        /// The sender's display name (defaults to the staff id).
        public var senderNick: String
        /// What the person wrote. In groups the robot receives it with the leading space the removed @mention leaves.
        public var text: String
        /// The group's title (groups only).
        public var conversationTitle: String?
        /// Whether the sender is an administrator (false when nil).
        public var isAdmin: Bool?
        /// A file sent instead of a text (then `text` may be empty).
        public var file: InjectedFile?
        /// The message this one quotes (a quoted reply). DingTalk does not document quoted replies:
        /// the robot message carries `text.isReplyMsg` and `text.repliedMsg` (`msgId`, `senderId`,
        /// `content` as `{"text": …}`) in the shape observed in real callbacks.
        public var quote: InjectedQuote?

        /// A message; `senderNick` defaults to `senderStaffId`.
        public init(
            conversationId: String,
            conversationType: String = "2",
            senderStaffId: String,
            senderNick: String? = nil,
            text: String,
            conversationTitle: String? = nil,
            isAdmin: Bool? = nil,
            file: InjectedFile? = nil,
            quote: InjectedQuote? = nil
        ) {
            self.file = file
            self.quote = quote
            self.conversationId = conversationId
            self.conversationType = conversationType
            self.senderStaffId = senderStaffId
            self.senderNick = senderNick ?? senderStaffId
            self.text = text
            self.conversationTitle = conversationTitle
            self.isAdmin = isAdmin
        }

        enum CodingKeys: String, CodingKey {
            case conversationId, conversationType, senderStaffId, senderNick, text, conversationTitle, isAdmin, file, quote
        }

        /// Decodes the control API's JSON; `senderNick` may be omitted.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            conversationId = try container.decode(String.self, forKey: .conversationId)
            conversationType = try container.decode(String.self, forKey: .conversationType)
            senderStaffId = try container.decode(String.self, forKey: .senderStaffId)
            senderNick = try container.decodeIfPresent(String.self, forKey: .senderNick) ?? senderStaffId
            text = try container.decodeIfPresent(String.self, forKey: .text) ?? ""
            file = try container.decodeIfPresent(InjectedFile.self, forKey: .file)
            quote = try container.decodeIfPresent(InjectedQuote.self, forKey: .quote)
            conversationTitle = try container.decodeIfPresent(String.self, forKey: .conversationTitle)
            isAdmin = try container.decodeIfPresent(Bool.self, forKey: .isAdmin)
        }
    }

    /// What a quoted reply quotes: `{"msgId","senderId","content"}` (the quoted message's text).
    public struct InjectedQuote: Codable, Sendable, Equatable {
        public var msgId: String
        public var senderId: String
        public var content: String

        public init(msgId: String, senderId: String, content: String) {
            self.msgId = msgId
            self.senderId = senderId
            self.content = content
        }
    }

    /// A file a person sends the robot: `{"msgtype":"file","fileName":"report.pdf","content":"<base64>"}`.
    /// The robot receives files, voice and video only in its one-to-one chats; pictures anywhere.
    public struct InjectedFile: Codable, Sendable, Equatable {
        /// "picture", "file", "audio" (a voice message) or "video".
        public var msgtype: String
        public var fileName: String?
        /// The bytes, base64.
        public var content: String
        /// Milliseconds, for audio and video.
        public var duration: Int?
        /// What DingTalk heard in a voice message.
        public var recognition: String?

        public init(msgtype: String, fileName: String? = nil, content: Data, duration: Int? = nil, recognition: String? = nil) {
            self.msgtype = msgtype
            self.fileName = fileName
            self.content = content.base64EncodedString()
            self.duration = duration
            self.recognition = recognition
        }
    }

    /// One thing a robot sent or recalled, as `GET /_emulator/sent` lists it:
    /// `{"api":"groupMessages/send","conversation":"cid…","msgKey":"sampleText","content":"…","processQueryKey":"…"}`.
    public struct SentRecord: Codable, Sendable, Equatable {
        /// "groupMessages/send", "oToMessages/batchSend", "robot/send", "sendBySession",
        /// "groupMessages/recall" or "otoMessages/batchRecall".
        public var api: String
        /// The openConversationId; for one-to-one sends the user ids joined with ",".
        public var conversation: String?
        /// The msgKey, or the custom robot's msgtype.
        public var msgKey: String?
        /// The text shown: msgParam's `content` (sampleText) or `text` (markdown, link, action cards).
        public var content: String?
        /// The key the send API answered with (recall and read-status queries use it).
        public var processQueryKey: String?
        /// For sampleImageMsg, sampleFile, sampleAudio and sampleVideo: the media file sent, as
        /// media/upload took it (``DingTalkEmulator/media(_:)`` has its bytes).
        public var mediaId: String?

        /// A record.
        public init(
            api: String,
            conversation: String? = nil,
            msgKey: String? = nil,
            content: String? = nil,
            processQueryKey: String? = nil
        ) {
            self.api = api
            self.conversation = conversation
            self.msgKey = msgKey
            self.content = content
            self.processQueryKey = processQueryKey
        }
    }

    /// Counters, as `GET /_emulator/stats` returns them:
    /// `{"requests":N,"rate_limited":N,"rejected_signatures":N}`.
    public struct Stats: Codable, Sendable, Equatable {
        /// Platform API requests received (control API requests are not counted).
        public var requests: Int
        /// Throttling answers given.
        public var rateLimited: Int
        /// Custom robot requests refused for a bad timestamp or signature.
        public var rejectedSignatures: Int

        /// Counters.
        public init(requests: Int = 0, rateLimited: Int = 0, rejectedSignatures: Int = 0) {
            self.requests = requests
            self.rateLimited = rateLimited
            self.rejectedSignatures = rejectedSignatures
        }

        enum CodingKeys: String, CodingKey {
            case requests
            case rateLimited = "rate_limited"
            case rejectedSignatures = "rejected_signatures"
        }
    }

    /// Stream mode counters, for tests of a client's protocol handling.
    /// A push written to a Stream connection once, whose ACK never came.
    public struct UnacknowledgedPush: Codable, Sendable, Hashable {
        /// The frame's `headers.messageId`.
        public var messageId: String
        /// The robot message's `msgId`, from the frame's data.
        public var msgId: String?
    }

    public struct StreamStats: Codable, Sendable, Equatable {
        /// CALLBACK frames written (each once: callbacks are not pushed again).
        public var callbacksPushed: Int
        /// EVENT frames written again because no ACK came within `ackTimeout`, or it said LATER.
        public var redeliveries: Int
        /// Callbacks acknowledged with code 200.
        public var callbacksAcknowledged: Int
        /// SYSTEM ping frames written.
        public var pingsSent: Int
        /// Pings answered with the same `opaque`.
        public var pingsAnswered: Int
        /// Client frames that were not valid protocol frames (logged and ignored).
        public var malformedFrames: Int
        /// Connections opened so far.
        public var connectionsOpened: Int
        /// The most connections open at the same time (2 during a warm reconnect).
        public var mostOpenAtOnce: Int
        /// EVENT frames written, redeliveries included.
        public var eventsPushed: Int
        /// Events acknowledged with `"status":"SUCCESS"`.
        public var eventsAcknowledged: Int
        /// Event ACKs that said LATER (or nothing valid): pushed again after `ackTimeout`.
        public var eventsDeferred: Int

        /// Counters.
        public init(
            callbacksPushed: Int = 0,
            redeliveries: Int = 0,
            callbacksAcknowledged: Int = 0,
            pingsSent: Int = 0,
            pingsAnswered: Int = 0,
            malformedFrames: Int = 0,
            connectionsOpened: Int = 0,
            mostOpenAtOnce: Int = 0,
            eventsPushed: Int = 0,
            eventsAcknowledged: Int = 0,
            eventsDeferred: Int = 0
        ) {
            self.eventsPushed = eventsPushed
            self.eventsAcknowledged = eventsAcknowledged
            self.eventsDeferred = eventsDeferred
            self.connectionsOpened = connectionsOpened
            self.mostOpenAtOnce = mostOpenAtOnce
            self.callbacksPushed = callbacksPushed
            self.redeliveries = redeliveries
            self.callbacksAcknowledged = callbacksAcknowledged
            self.pingsSent = pingsSent
            self.pingsAnswered = pingsAnswered
            self.malformedFrames = malformedFrames
        }
    }

    /// The answer of `POST /_emulator/messages`: `{"msgId":"…"}`.
    struct InjectionAnswer: Codable, Sendable {
        var msgId: String
    }
}
