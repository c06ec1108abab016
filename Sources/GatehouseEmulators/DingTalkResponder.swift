import Foundation
import Hummingbird
import Logging

/// Routes the DingTalk APIs (api and oapi hosts share one server) and the control API.
struct DingTalkResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let app: DingTalkAppState
    let hub: DingTalkStreamHub
    let configuration: DingTalkEmulator.Configuration
    let listening: ListeningPort
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix("/_emulator/") {
            return await control(request, path: path)
        }
        await app.countRequest()
        do {
            return try await platform(request, path: path)
        } catch let error as DingTalkAPIError {
            logger.debug("DingTalk API error", metadata: ["emulator.code": "\(error.code)", "emulator.path": "\(path)"])
            return error.response
        } catch {
            logger.error("unexpected DingTalk API failure", metadata: ["error.type": "\(type(of: error))"])
            return DingTalkAPIError.openAPI("system.error", "未知的系统错误", status: 500).response
        }
    }

    private func platform(_ request: Request, path: String) async throws -> Response {
        if path.hasPrefix("/v1.0/") {
            try await app.admitAPICall(path)
        }
        if let response = try await signIn(request, path: path) { return response }
        if path.hasPrefix("/v1.0/card/") { return try await cardAPI(request, path: path) }
        switch (request.method, path) {
        case (.post, "/v1.0/oauth2/accessToken"):
            let body = try await jsonBody(request)
            let appKey = try required(body, "appKey")
            let appSecret = try required(body, "appSecret")
            let (token, expiresIn) = try await app.issueAccessToken(appKey: appKey, appSecret: appSecret)
            return EmulatorHTTP.json(.ok, .object(["accessToken": .string(token), "expireIn": .int(Int64(expiresIn))]))

        case (.get, "/gettoken"):
            // The old API: GET oapi.dingtalk.com/gettoken?appkey=…&appsecret=…
            let query = Dictionary(EmulatorHTTP.queryPairs(of: request), uniquingKeysWith: { first, _ in first })
            do {
                let (token, expiresIn) = try await app.issueAccessToken(
                    appKey: query["appkey"] ?? "",
                    appSecret: query["appsecret"] ?? ""
                )
                return EmulatorHTTP.json(
                    .ok,
                    .object([
                        "errcode": .int(0), "errmsg": .string("ok"), "access_token": .string(token),
                        "expires_in": .int(Int64(expiresIn)),
                    ])
                )
            } catch {
                throw DingTalkAPIError.legacy(40089, "不合法的corpid或corpsecret")
            }

        case (.post, "/v1.0/gateway/connections/open"):
            return try await openConnection(request)

        case (.get, "/connect"):
            // Reached only when the request was not a valid WebSocket upgrade with a good ticket.
            throw DingTalkAPIError.openAPI("InvalidTicket", "ticket无效或已过期", status: 401)

        case (.post, "/v1.0/robot/groupMessages/send"):
            try await authenticate(request)
            let body = try await jsonBody(request)
            try checkRobotCode(body)
            guard let conversation = body["openConversationId"]?.stringValue, !conversation.isEmpty else {
                throw DingTalkAPIError.openAPI("miss.openConversationId", "缺少openConversationId")
            }
            let (key, content) = try DingTalkRobotMessages.checkTemplate(msgKey: body["msgKey"], msgParam: body["msgParam"])
            let mediaID = try await checkMedia(msgKey: key, msgParam: body["msgParam"])
            let processQueryKey = await app.recordSend(
                api: "groupMessages/send",
                conversation: conversation,
                msgKey: key,
                content: content,
                recallable: true,
                mediaId: mediaID
            )
            return EmulatorHTTP.json(.ok, .object(["processQueryKey": .string(processQueryKey)]))

        case (.post, "/v1.0/robot/oToMessages/batchSend"):
            try await authenticate(request)
            let body = try await jsonBody(request)
            try checkRobotCode(body)
            guard let userIDs = body["userIds"]?.arrayValue, !userIDs.isEmpty else {
                throw DingTalkAPIError.openAPI("invalidParameter.userIds.empty", "用户userId列表为空")
            }
            guard userIDs.count <= 20 else {
                throw DingTalkAPIError.openAPI("invalidParameter.userIds.overMax", "用户userId列表超过最大限制")
            }
            let users = try userIDs.map { value -> String in
                guard let user = value.stringValue, !user.isEmpty else {
                    throw DingTalkAPIError.openAPI("invalidParameter.userId.empty", "缺少staffId")
                }
                return user
            }
            let (key, content) = try DingTalkRobotMessages.checkTemplate(msgKey: body["msgKey"], msgParam: body["msgParam"])
            // Staff ids the organisation does not have are named back, and get nothing.
            let invalid = configuration.staffIDs.map { known in users.filter { !known.contains($0) } } ?? []
            let reached = users.filter { !invalid.contains($0) }
            let processQueryKey =
                reached.isEmpty
                ? DingTalkAppState.randomKey(bytes: 24)
                : await app.recordSend(
                    api: "oToMessages/batchSend",
                    conversation: reached.joined(separator: ","),
                    msgKey: key,
                    content: content,
                    recallable: true
                )
            return EmulatorHTTP.json(
                .ok,
                .object([
                    "processQueryKey": .string(processQueryKey), "invalidStaffIdList": .array(invalid.map(JSONValue.string)),
                    "flowControlledStaffIdList": .array([]),
                ])
            )

        case (.post, "/v1.0/robot/groupMessages/recall"), (.post, "/v1.0/robot/groupMessages/batchRecall"),
            (.post, "/v1.0/robot/otoMessages/batchRecall"):
            // groupMessages/recall and otoMessages/batchRecall as documented; groupMessages/batchRecall
            // is the older name some clients still call, answered the same.
            try await authenticate(request)
            let body = try await jsonBody(request)
            try checkRobotCode(body)
            let oneToOne = path.hasPrefix("/v1.0/robot/otoMessages/")
            let conversation = body["openConversationId"]?.stringValue
            guard oneToOne || conversation?.isEmpty == false else {
                throw DingTalkAPIError.openAPI("miss.openConversationId", "缺少openConversationId")
            }
            guard let keys = body["processQueryKeys"]?.arrayValue?.compactMap(\.stringValue), !keys.isEmpty else {
                throw DingTalkAPIError.openAPI("invalidParameter.processQueryKey.missing", "缺少processQueryKey")
            }
            guard keys.count <= 20 else {
                throw DingTalkAPIError.openAPI("invalidParameter.processQueryKeys.overMax", "processQueryKeys超过数量上限20")
            }
            let (recalled, failed) = await app.recall(keys: keys, conversation: oneToOne ? nil : conversation)
            return EmulatorHTTP.json(
                .ok,
                .object([
                    "successResult": .array(recalled.map(JSONValue.string)),
                    "failedResult": .object(failed.mapValues(JSONValue.string)),
                ])
            )

        case (.post, "/media/upload"):
            // The old API: the token in the query, the file in the form's `media` field.
            let query = Dictionary(EmulatorHTTP.queryPairs(of: request), uniquingKeysWith: { first, _ in first })
            guard let token = query["access_token"], await app.isValidAccessToken(token) else {
                throw DingTalkAPIError.legacy(40014, "不合法的access_token")
            }
            guard let boundary = EmulatorHTTP.contentTypeParameter("boundary", of: request),
                let body = await EmulatorHTTP.body(of: request, limit: 21 << 20),
                let form = EmulatorHTTP.multipartFields(body, boundary: boundary)
            else {
                throw DingTalkAPIError.legacy(40000, "参数错误")
            }
            let type = form.fields.first { $0.0 == "type" }?.1 ?? query["type"] ?? ""
            guard let file = form.files.first(where: { $0.field == "media" }) else { throw DingTalkAPIError.legacy(40000, "参数错误: media") }
            let id = try await app.upload(DingTalkMedia(type: type, name: file.filename, data: file.data))
            return EmulatorHTTP.json(
                .ok,
                .object([
                    ("errcode", .int(0)), ("errmsg", .string("ok")), ("media_id", .string(id)),
                    ("created_at", .int(EmulatorHTTP.nowMilliseconds())), ("type", .string(type)),
                ])
            )

        case (.post, "/v1.0/robot/messageFiles/download"):
            try await authenticate(request)
            let body = try await jsonBody(request)
            guard let robotCode = body["robotCode"]?.stringValue, !robotCode.isEmpty else {
                throw DingTalkAPIError.openAPI("invalidParameter.robotCode.empty", "机器人robotCode为空")
            }
            guard robotCode == configuration.robotCode else {
                throw DingTalkAPIError.openAPI(
                    "invalidParameter.robotCode.auth",
                    "此downloadCode和机器人robotCode不匹配，请使用接收此条消息机器人robotCode和对应的downloadCode"
                )
            }
            guard let code = body["downloadCode"]?.stringValue, !code.isEmpty else {
                throw DingTalkAPIError.openAPI("invalidParameter.robotCode.empty", "机器人downloadCode为空")
            }
            guard let link = await app.downloadLink(for: code) else {
                throw DingTalkAPIError.openAPI("invalidParameter.robotCode.downloadCode", "下载码有误或者已经过期")
            }
            let host = request.head.authority ?? configuration.host
            return EmulatorHTTP.json(.ok, .object(["downloadUrl": .string("http://\(host)\(Self.downloadPath)\(link)")]))

        case (.get, _) where path.hasPrefix(Self.downloadPath):
            // A temporary download link: signed by its token alone, as the platform's are.
            guard let data = await app.linkedFile(String(path.dropFirst(Self.downloadPath.count))) else {
                return Response(status: .notFound)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/octet-stream"],
                body: .init(byteBuffer: ByteBuffer(bytes: data))
            )

        case (.get, "/v1.0/blackboard/get_blackboard"):
            try await authenticate(request)
            let query = Dictionary(EmulatorHTTP.queryPairs(of: request), uniquingKeysWith: { first, _ in first })
            // The documented errors: an id that names no (undeleted) announcement is a bad request.
            guard let id = query["blackboardId"], !id.isEmpty, let blackboard = await app.blackboard(id) else {
                throw DingTalkAPIError.openAPI("badRequest", "badRequest")
            }
            return EmulatorHTTP.json(.ok, blackboard.detail(corpID: configuration.corpID))

        case (.post, "/topapi/v2/user/get"), (.post, "/topapi/v2/department/get"):
            // The old API: the token in the query; the body JSON or a form.
            let query = Dictionary(EmulatorHTTP.queryPairs(of: request), uniquingKeysWith: { first, _ in first })
            guard let token = query["access_token"], await app.isValidAccessToken(token) else {
                throw DingTalkAPIError.legacy(40014, "不合法的access_token")
            }
            let bytes = await EmulatorHTTP.body(of: request) ?? []
            let fields: [String: String] =
                (try? JSONValue.parse(bytes))?.objectValue?.compactMapValues { $0.stringValue ?? $0.int64Value.map(String.init) }
                ?? Dictionary(EmulatorHTTP.formPairs(Substring(decoding: bytes, as: UTF8.self)), uniquingKeysWith: { first, _ in first })
            let result: JSONValue
            if path == "/topapi/v2/user/get" {
                guard let userID = fields["userid"], !userID.isEmpty else { throw DingTalkAPIError.legacy(400002, "无效的参数") }
                guard let person = await app.person(userID) else { throw DingTalkAPIError.legacy(33012, "无效的userId") }
                result = .object([
                    ("userid", .string(person.userid)), ("name", .string(person.name)),
                    ("dept_id_list", .array(person.deptIdList.map(JSONValue.int))), ("active", .bool(true)),
                ])
            } else {
                guard let id = fields["dept_id"].flatMap({ Int64($0) }) else { throw DingTalkAPIError.legacy(400002, "无效的参数") }
                guard let department = await app.department(id) else { throw DingTalkAPIError.legacy(60003, "未找到对应部门") }
                result = .object([("dept_id", .int(department.deptId)), ("name", .string(department.name))])
            }
            return EmulatorHTTP.json(.ok, .object([("errcode", .int(0)), ("errmsg", .string("ok")), ("result", result)]))

        case (.post, "/robot/send"):
            return try await customRobotSend(request)

        case (.post, "/robot/sendBySession"):
            let session = EmulatorHTTP.queryPairs(of: request).first { $0.0 == "session" }?.1 ?? ""
            guard let conversation = await app.sessionConversation(session) else {
                throw DingTalkAPIError.legacy(400013, "session不存在或已过期")
            }
            let body = try await legacyJSONBody(request)
            let (msgtype, content) = try DingTalkRobotMessages.checkCustomRobotBody(body)
            _ = await app.recordSend(
                api: "sendBySession",
                conversation: conversation,
                msgKey: msgtype,
                content: content,
                recallable: false
            )
            return EmulatorHTTP.json(.ok, .object(["errcode": .int(0), "errmsg": .string("ok")]))

        default:
            throw DingTalkAPIError.notFound
        }
    }

    // MARK: Stream mode registration

    private static let callbackTopics: Set<String> = [DingTalkStreamHub.robotTopic, "/v1.0/card/instances/callback"]

    private func openConnection(_ request: Request) async throws -> Response {
        let body = try await jsonBody(request)
        let clientID = try required(body, "clientId")
        let clientSecret = try required(body, "clientSecret")
        guard let list = body["subscriptions"]?.arrayValue, !list.isEmpty else {
            throw DingTalkAPIError.openAPI("Missingsubscriptions", "subscriptions is mandatory for this action.")
        }
        let subscriptions = try list.map { entry -> DingTalkSubscription in
            guard let type = entry["type"]?.stringValue, let topic = entry["topic"]?.stringValue else {
                throw DingTalkAPIError.openAPI("invalidParameter.param.invalid", "参数不合法: subscriptions 需要 type 和 topic")
            }
            switch type {
            case "EVENT" where topic == "*", "SYSTEM":
                break
            case "EVENT":
                throw DingTalkAPIError.openAPI("invalidParameter.param.invalid", "参数不合法: EVENT 仅支持 topic \"*\"")
            case "CALLBACK" where Self.callbackTopics.contains(topic):
                break
            default:
                throw DingTalkAPIError.openAPI(
                    "invalidParameter.param.invalid",
                    "参数不合法: 不支持的订阅 \(type) \(topic)"
                )
            }
            return DingTalkSubscription(type: type, topic: topic)
        }
        let ticket = try await app.openConnection(clientID: clientID, clientSecret: clientSecret, subscriptions: subscriptions)
        let endpoint = "ws://\(endpointHost(request))/connect"
        return EmulatorHTTP.json(.ok, .object(["endpoint": .string(endpoint), "ticket": .string(ticket)]))
    }

    /// The host:port clients reached the emulator at (the Host header), else the bound address.
    private func endpointHost(_ request: Request) -> String {
        if let authority = request.head.authority, !authority.isEmpty { return authority }
        return "\(configuration.host):\(listening.current ?? configuration.port)"
    }

    // MARK: Custom robot

    private func customRobotSend(_ request: Request) async throws -> Response {
        let query = Dictionary(EmulatorHTTP.queryPairs(of: request), uniquingKeysWith: { first, _ in first })
        guard let token = query["access_token"], !token.isEmpty, let robot = await app.customRobot(token) else {
            throw DingTalkAPIError.legacy(400101, "access_token不存在")
        }
        if let secret = robot.secret {
            if let failure = DingTalkRobotMessages.checkSignature(
                timestamp: query["timestamp"],
                sign: query["sign"],
                secret: secret
            ) {
                await app.countRejectedSignature()
                throw DingTalkAPIError.legacy(310000, failure)
            }
        }
        let body = try await legacyJSONBody(request)
        let (msgtype, content) = try DingTalkRobotMessages.checkCustomRobotBody(body)
        if !robot.keywords.isEmpty, !robot.keywords.contains(where: { content.contains($0) }) {
            throw DingTalkAPIError.legacy(310000, "keywords not in content")
        }
        if let uuid = body["msgUuid"]?.stringValue, !uuid.isEmpty, await app.isDuplicate(robot: token, messageUUID: uuid) {
            // msgUuid makes a retry idempotent: accepted, not sent twice.
            return EmulatorHTTP.json(.ok, .object(["errcode": .int(0), "errmsg": .string("ok")]))
        }
        try await app.admitRobotMessage(token)
        _ = await app.recordSend(
            api: "robot/send",
            conversation: robot.conversationId,
            msgKey: msgtype,
            content: content,
            recallable: false
        )
        return EmulatorHTTP.json(.ok, .object(["errcode": .int(0), "errmsg": .string("ok")]))
    }

    /// Where the temporary download links messageFiles/download hands out point.
    static let downloadPath = "/media/download/"

    // MARK: Helpers

    func authenticate(_ request: Request) async throws {
        // Header names compare case-insensitively; canonicalName is lower-case.
        let token = request.headers.first { $0.name.canonicalName == "x-acs-dingtalk-access-token" }?.value
        guard let token, !token.isEmpty else {
            throw DingTalkAPIError.missingToken
        }
        guard await app.isValidAccessToken(token) else { throw DingTalkAPIError.invalidToken }
    }

    /// The media file a sampleFile, sampleAudio, sampleVideo (or a sampleImageMsg by mediaId)
    /// names, which must be one media/upload took.
    private func checkMedia(msgKey: String, msgParam: JSONValue?) async throws -> String? {
        guard let param = msgParam?.stringValue.flatMap({ try? JSONValue.parse($0) }) else { return nil }
        let id: String?
        switch msgKey {
        case "sampleFile", "sampleAudio": id = param["mediaId"]?.stringValue
        case "sampleVideo": id = param["videoMediaId"]?.stringValue
        case "sampleImageMsg":
            // photoURL is a picture's URL or a mediaId.
            id = param["photoURL"]?.stringValue.flatMap { $0.hasPrefix("@") ? $0 : nil }
        default: id = nil
        }
        guard let id else { return nil }
        guard await app.medium(id) != nil else { throw DingTalkAPIError.openAPI("invalidParameter.mediaId.invalid", "不合法的媒体文件id") }
        return id
    }

    private func checkRobotCode(_ body: [String: JSONValue]) throws {
        guard let robotCode = body["robotCode"]?.stringValue, !robotCode.isEmpty else {
            throw DingTalkAPIError.openAPI("invalidParameter.robotCode.missing", "缺少robotCode")
        }
        guard robotCode == configuration.robotCode else {
            throw DingTalkAPIError.openAPI("invalidParameter.robotCode.notExsit", "机器人不存在")
        }
    }

    private func required(_ body: [String: JSONValue], _ name: String) throws -> String {
        guard let value = body[name]?.stringValue, !value.isEmpty else {
            throw DingTalkAPIError.openAPI("Missing\(name)", "\(name) is mandatory for this action.")
        }
        return value
    }

    func jsonBody(_ request: Request) async throws -> [String: JSONValue] {
        guard let bytes = await EmulatorHTTP.body(of: request), let json = try? JSONValue.parse(bytes),
            let object = json.objectValue
        else {
            throw DingTalkAPIError.invalidBody
        }
        return object
    }

    func legacyJSONBody(_ request: Request) async throws -> [String: JSONValue] {
        guard EmulatorHTTP.mediaType(of: request) == "application/json" else {
            throw DingTalkAPIError.legacy(43004, "无效的HTTP HEADER Content-Type")
        }
        guard let bytes = await EmulatorHTTP.body(of: request), !bytes.isEmpty else {
            throw DingTalkAPIError.legacy(40035, "缺少参数 json")
        }
        guard let json = try? JSONValue.parse(bytes), let object = json.objectValue else {
            throw DingTalkAPIError.legacy(40035, "缺少参数 json")
        }
        return object
    }

    // MARK: Control API

    private func control(_ request: Request, path: String) async -> Response {
        if path == "/_emulator/cards" || path.hasPrefix("/_emulator/cards/") { return await cardControl(request, path: path) }
        switch (request.method, path) {
        case (.post, "/_emulator/messages"):
            guard let body = await EmulatorHTTP.body(of: request),
                let message = try? JSONDecoder().decode(DingTalkEmulator.InjectedMessage.self, from: Data(body))
            else {
                return controlError(.badRequest, "invalid message: conversationId, conversationType, senderStaffId and text are required")
            }
            do {
                let msgID = try await DingTalkEmulator.inject(
                    message,
                    app: app,
                    hub: hub,
                    configuration: configuration,
                    endpointHost: endpointHost(request)
                )
                return EmulatorHTTP.json(.ok, encoding: DingTalkEmulator.InjectionAnswer(msgId: msgID))
            } catch let error as EmulatorError {
                return controlError(.badRequest, error.detail)
            } catch {
                return controlError(.badRequest, "\(error)")
            }
        case (.get, "/_emulator/sent"):
            let filter = EmulatorHTTP.queryPairs(of: request).first { $0.0 == "conversation" }?.1
            return EmulatorHTTP.json(.ok, encoding: await app.sent(conversation: filter))
        case (.get, "/_emulator/stats"):
            return EmulatorHTTP.json(.ok, encoding: await app.stats())
        case (.get, "/_emulator/stream"):
            return EmulatorHTTP.json(.ok, encoding: await hub.stats)
        case (.get, "/_emulator/unacknowledged"):
            return EmulatorHTTP.json(.ok, encoding: await DingTalkEmulator.unacknowledged(hub: hub))
        case (.post, "/_emulator/robots"):
            guard let body = await EmulatorHTTP.body(of: request),
                let robot = try? JSONDecoder().decode(DingTalkEmulator.CustomRobot.self, from: Data(body))
            else {
                return controlError(.badRequest, "invalid robot")
            }
            await app.register(robot)
            return EmulatorHTTP.json(.ok, encoding: robot)
        case (.post, "/_emulator/disconnect"):
            await hub.disconnectAll(reason: "connection is expired")
            return EmulatorHTTP.json(.ok, .object(["connections": .int(Int64(await hub.openConnections))]))
        case (.post, "/_emulator/callback"):
            struct Callback: Decodable { var url: String? }
            guard let body = await EmulatorHTTP.body(of: request), let callback = try? JSONDecoder().decode(Callback.self, from: Data(body)) else {
                return controlError(.badRequest, "expected {\"url\": \"http://…/hooks/<platform>\"} (null: back to Stream)")
            }
            await app.setCallbackURL(callback.url)
            return EmulatorHTTP.json(.ok, .object(["ok": .bool(true)]))
        case (.post, "/_emulator/blackboards"):
            guard let body = await EmulatorHTTP.body(of: request),
                let announcement = try? JSONDecoder().decode(DingTalkEmulator.Announcement.self, from: Data(body)),
                !announcement.title.isEmpty || !announcement.content.isEmpty
            else {
                return controlError(.badRequest, "invalid announcement: title, content and senderStaffId are required")
            }
            let published = await DingTalkEmulator.publish(announcement, app: app, hub: hub)
            return EmulatorHTTP.json(.ok, encoding: published)
        case (.post, "/_emulator/events"):
            guard let body = await EmulatorHTTP.body(of: request), let json = try? JSONValue.parse(body),
                let eventType = json["eventType"]?.stringValue, !eventType.isEmpty
            else {
                return controlError(.badRequest, "expected {\"eventType\": \"…\", \"data\": {…}}")
            }
            let eventID = await hub.publishEvent(eventType: eventType, data: (json["data"] ?? .object([:])).jsonString)
            return EmulatorHTTP.json(.ok, .object(["eventId": .string(eventID)]))
        case (.delete, _) where path.hasPrefix("/_emulator/blackboards/"):
            let id = String(path.dropFirst("/_emulator/blackboards/".count))
            guard await app.deleteBlackboard(id) else { return controlError(.notFound, "no such announcement") }
            return EmulatorHTTP.json(.ok, .object(["ok": .bool(true)]))
        case (.post, "/_emulator/directory"):
            guard let body = await EmulatorHTTP.body(of: request),
                let entries = try? JSONDecoder().decode(DingTalkEmulator.DirectoryEntries.self, from: Data(body))
            else {
                return controlError(.badRequest, "invalid directory entries")
            }
            for person in entries.people ?? [] { await app.addPerson(person) }
            for department in entries.departments ?? [] { await app.addDepartment(department) }
            return EmulatorHTTP.json(.ok, .object(["ok": .bool(true)]))

        case (.post, "/_emulator/zombie"):
            await hub.makeZombies()
            return EmulatorHTTP.json(.ok, .object(["connections": .int(Int64(await hub.openConnections))]))
        case (_, "/_emulator/messages"), (_, "/_emulator/sent"), (_, "/_emulator/stats"), (_, "/_emulator/stream"), (_, "/_emulator/unacknowledged"),
            (_, "/_emulator/robots"), (_, "/_emulator/disconnect"), (_, "/_emulator/zombie"), (_, "/_emulator/callback"),
            (_, "/_emulator/blackboards"), (_, "/_emulator/events"), (_, "/_emulator/directory"):
            return controlError(.methodNotAllowed, "method not allowed")
        default:
            return controlError(.notFound, "unknown control endpoint")
        }
    }

    func controlError(_ status: HTTPResponse.Status, _ message: String) -> Response {
        EmulatorHTTP.json(status, .object(["error": .string(message)]))
    }
}
