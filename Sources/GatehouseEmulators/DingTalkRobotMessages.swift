import Crypto
import Foundation

/// The message formats of the robot APIs: the app robot's msgKey/msgParam templates and the
/// custom robot's msgtype bodies, with the fields each requires.
enum DingTalkRobotMessages {
    /// msgKey → msgParam fields it requires (robot-message-type.md).
    static let templates: [String: [String]] = [
        "sampleText": ["content"],
        "sampleMarkdown": ["title", "text"],
        "sampleImageMsg": ["photoURL"],
        "sampleLink": ["text", "title", "picUrl", "messageUrl"],
        "sampleActionCard": ["title", "text", "singleTitle", "singleURL"],
        "sampleActionCard2": ["title", "text", "actionTitle1", "actionURL1", "actionTitle2", "actionURL2"],
        "sampleActionCard3": [
            "title", "text", "actionTitle1", "actionURL1", "actionTitle2", "actionURL2", "actionTitle3", "actionURL3",
        ],
        "sampleActionCard4": [
            "title", "text", "actionTitle1", "actionURL1", "actionTitle2", "actionURL2", "actionTitle3", "actionURL3",
            "actionTitle4", "actionURL4",
        ],
        "sampleActionCard5": [
            "title", "text", "actionTitle1", "actionURL1", "actionTitle2", "actionURL2", "actionTitle3", "actionURL3",
            "actionTitle4", "actionURL4", "actionTitle5", "actionURL5",
        ],
        "sampleActionCard6": ["title", "text", "buttonTitle1", "buttonUrl1", "buttonTitle2", "buttonUrl2"],
        "sampleAudio": ["mediaId", "duration"],
        "sampleFile": ["mediaId", "fileName", "fileType"],
        "sampleVideo": ["duration", "videoMediaId", "videoType", "picMediaId"],
    ]

    /// msgParam is limited to 15000 bytes.
    static let maximumParamBytes = 15000

    /// Checks `msgKey` and `msgParam` of an app robot send; returns the key and the text shown.
    static func checkTemplate(msgKey: JSONValue?, msgParam: JSONValue?) throws -> (key: String, content: String?) {
        guard let key = msgKey?.stringValue, !key.isEmpty else {
            throw DingTalkAPIError.openAPI("invalidParameter.msgKey.empty", "缺少msgKey")
        }
        guard let required = templates[key] else {
            throw DingTalkAPIError.openAPI("invalidParameter.msgKey.invalid", "msgKey无效")
        }
        // msgParam is a JSON *string*; an object in its place is the classic mistake.
        guard let raw = msgParam?.stringValue, let parsed = try? JSONValue.parse(raw), let param = parsed.objectValue else {
            throw DingTalkAPIError.openAPI("invalidParameter.msgParam.invalid", "msgParam必须是json格式")
        }
        guard raw.utf8.count <= maximumParamBytes else {
            throw DingTalkAPIError.openAPI("invalidParameter.msgParam.tooLong", "消息内容太长")
        }
        for field in required {
            let value = param[field]
            let present: Bool
            switch value {
            case .string(let text)?: present = !text.isEmpty
            case .int?, .double?: present = true
            default: present = false
            }
            guard present else {
                throw DingTalkAPIError.openAPI(
                    "invalidParameter.param.invalid",
                    "参数不合法: \(key) 的 msgParam 缺少 \(field)"
                )
            }
        }
        let content: String?
        switch key {
        case "sampleText": content = param["content"]?.stringValue
        case "sampleImageMsg": content = param["photoURL"]?.stringValue
        case "sampleFile": content = param["fileName"]?.stringValue
        case "sampleAudio", "sampleVideo": content = nil
        default: content = param["text"]?.stringValue
        }
        return (key, content)
    }

    /// Checks a custom robot (or session webhook) body; returns the msgtype and the text shown.
    static func checkCustomRobotBody(_ body: [String: JSONValue]) throws -> (msgtype: String, content: String) {
        guard let msgtype = body["msgtype"]?.stringValue, !msgtype.isEmpty else {
            throw DingTalkAPIError.legacy(40035, "缺少参数 msgtype")
        }
        func field(_ object: String, _ name: String) throws -> String {
            guard let value = body[object]?[name]?.stringValue, !value.isEmpty else {
                throw DingTalkAPIError.legacy(40035, "缺少参数 \(object).\(name)")
            }
            return value
        }
        switch msgtype {
        case "text":
            return (msgtype, try field("text", "content"))
        case "markdown":
            _ = try field("markdown", "title")
            return (msgtype, try field("markdown", "text"))
        case "link":
            _ = try field("link", "title")
            _ = try field("link", "messageUrl")
            return (msgtype, try field("link", "text"))
        case "actionCard":
            _ = try field("actionCard", "title")
            let text = try field("actionCard", "text")
            let hasSingle = body["actionCard"]?["singleTitle"]?.stringValue != nil
            if hasSingle {
                _ = try field("actionCard", "singleURL")
            } else {
                guard let buttons = body["actionCard"]?["btns"]?.arrayValue, !buttons.isEmpty,
                    buttons.allSatisfy({ $0["title"]?.stringValue != nil && $0["actionURL"]?.stringValue != nil })
                else {
                    throw DingTalkAPIError.legacy(40035, "缺少参数 actionCard.btns")
                }
            }
            return (msgtype, text)
        case "feedCard":
            guard let links = body["feedCard"]?["links"]?.arrayValue, !links.isEmpty,
                links.allSatisfy({
                    $0["title"]?.stringValue != nil && $0["messageURL"]?.stringValue != nil
                        && $0["picURL"]?.stringValue != nil
                })
            else {
                throw DingTalkAPIError.legacy(40035, "缺少参数 feedCard.links")
            }
            return (msgtype, links.compactMap { $0["title"]?.stringValue }.joined(separator: "\n"))
        default:
            throw DingTalkAPIError.legacy(400105, "不支持的消息类型")
        }
    }

    /// The custom robot signature: base64(HMAC-SHA256(key: secret, timestamp + "\n" + secret)).
    static func signature(timestamp: String, secret: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp)\n\(secret)".utf8), using: key)
        return Data(code).base64EncodedString()
    }

    /// Checks a signed request: timestamp (ms) within one hour of now and the signature matching.
    /// `sign` arrives form-decoded, so a signature that was not URL-encoded ("+" read as a space)
    /// fails, as it does on the platform.
    static func checkSignature(timestamp: String?, sign: String?, secret: String) -> String? {
        guard let timestamp, let milliseconds = Int64(timestamp) else { return "invalid timestamp" }
        // The timestamp is the caller's: a subtraction that overflows (Int64.min) is a bad one.
        let (difference, overflow) = EmulatorHTTP.nowMilliseconds().subtractingReportingOverflow(milliseconds)
        guard !overflow, difference.magnitude <= 3_600_000 else { return "invalid timestamp" }
        guard let sign, DingTalkAppState.constantTimeEqual(sign, signature(timestamp: timestamp, secret: secret)) else {
            return "sign not match"
        }
        return nil
    }

    /// An opaque, stable id for a user or robot, shaped like the platform's encrypted ids.
    static func opaqueID(_ value: String) -> String {
        let digest = SHA256.hash(data: Data(value.utf8))
        return "$:LWCP_v1:$" + String(Data(digest).base64EncodedString().prefix(24))
    }

    /// The robot message a person's message becomes (robot-receive-message.md), as the JSON text
    /// that goes into a CALLBACK frame's `data`.
    static func robotMessage(
        _ message: DingTalkEmulator.InjectedMessage,
        downloadCode: String? = nil,
        msgID: String,
        configuration: DingTalkEmulator.Configuration,
        sessionWebhook: String,
        sessionExpires: Int64
    ) -> String {
        let isGroup = message.conversationType == "2"
        let chatbotUserID = opaqueID("robot:" + configuration.robotCode)
        // In a group the robot only receives messages that @ it; the client strips the mention
        // and leaves the leading space, as the platform's examples show.
        let content = isGroup ? " " + message.text : message.text
        return JSONValue.object([
            ("conversationId", .string(message.conversationId)),
            ("atUsers", isGroup ? .array([.object(["dingtalkId": .string(chatbotUserID)])]) : nil),
            ("chatbotCorpId", .string(configuration.corpID)),
            ("chatbotUserId", .string(chatbotUserID)),
            ("msgId", .string(msgID)),
            ("senderNick", .string(message.senderNick)),
            ("isAdmin", .bool(message.isAdmin ?? false)),
            ("senderStaffId", .string(message.senderStaffId)),
            ("sessionWebhookExpiredTime", .int(sessionExpires)),
            ("createAt", .int(EmulatorHTTP.nowMilliseconds())),
            ("senderCorpId", .string(configuration.corpID)),
            ("conversationType", .string(message.conversationType)),
            ("senderId", .string(opaqueID("user:" + message.senderStaffId))),
            ("conversationTitle", isGroup ? .string(message.conversationTitle ?? message.conversationId) : nil),
            ("isInAtList", isGroup ? .bool(true) : nil),
            ("sessionWebhook", .string(sessionWebhook)),
            ("text", message.file == nil ? textJSON(content, quote: message.quote) : nil),
            ("content", message.file.map { fileContent($0, downloadCode: downloadCode ?? "") }),
            ("robotCode", .string(configuration.robotCode)),
            ("msgtype", .string(message.file?.msgtype ?? "text")),
        ]).jsonString
    }

    /// A text message's `text`; a quoted reply's adds `isReplyMsg` and `repliedMsg` (not in the
    /// documentation: the shape observed in real callbacks).
    static func textJSON(_ content: String, quote: DingTalkEmulator.InjectedQuote?) -> JSONValue {
        guard let quote else { return .object(["content": .string(content)]) }
        return .object([
            ("content", .string(content)), ("isReplyMsg", .bool(true)),
            (
                "repliedMsg",
                .object([
                    ("msgId", .string(quote.msgId)), ("senderId", .string(quote.senderId)), ("msgType", .string("text")),
                    ("content", .object([("text", .string(quote.content))])),
                ])
            ),
        ])
    }

    /// The `content` of a picture, file, audio or video message (robot-receive-message.md).
    static func fileContent(_ file: DingTalkEmulator.InjectedFile, downloadCode: String) -> JSONValue {
        switch file.msgtype {
        case "picture":
            return .object([("downloadCode", .string(downloadCode)), ("pictureDownloadCode", .string(downloadCode))])
        case "audio":
            return .object([
                ("duration", .int(Int64(file.duration ?? 0))), ("downloadCode", .string(downloadCode)),
                ("recognition", file.recognition.map(JSONValue.string)),
            ])
        case "video":
            return .object([("duration", .int(Int64(file.duration ?? 0))), ("downloadCode", .string(downloadCode)), ("videoType", .string("mp4"))])
        default:
            return .object([
                ("downloadCode", .string(downloadCode)), ("fileName", .string(file.fileName ?? "file")),
                ("spaceId", .string("1234")), ("fileId", .string(String(downloadCode.prefix(12)))),
            ])
        }
    }
}
