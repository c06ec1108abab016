// Bodies of the DingTalk open API calls the adapter makes (api.dingtalk.com, v1.0).

struct AccessTokenRequest: Encodable {
    var appKey: String
    var appSecret: String
}

struct AccessTokenResponse: Decodable {
    var accessToken: String
    var expireIn: Int
}

/// `POST /v1.0/robot/groupMessages/send`. `msgParam` is itself a JSON string.
struct GroupMessageSend: Encodable {
    var msgParam: String
    var msgKey: String
    var openConversationId: String
    var robotCode: String
}

struct GroupMessageSendResponse: Decodable {
    var processQueryKey: String
}

/// `POST /v1.0/robot/groupMessages/recall` (with the group), `/v1.0/robot/otoMessages/batchRecall`
/// (without: one-to-one messages).
struct MessageRecall: Encodable {
    var openConversationId: String?
    var robotCode: String
    var processQueryKeys: [String]
}

/// A recall's answer: the keys recalled (a list) and the others with why (a map).
struct GroupMessageRecallResponse: Decodable {
    var successResult: [String]?
    var failedResult: [String: String]?
}

/// The error body of the v1.0 API: `{"code":"…","message":"…","requestid":"…"}`.
struct OpenAPIError: Decodable {
    var code: String?
    var message: String?
    var requestid: String?
}

/// `sampleText` / `sampleMarkdown` parameters.
struct SampleText: Encodable {
    var content: String
}

struct SampleMarkdown: Encodable {
    var title: String
    var text: String
}

/// `POST /v1.0/robot/oToMessages/batchSend`: one message to up to 20 people's one-to-one chats.
struct OneToOneSend: Encodable {
    var robotCode: String
    var userIds: [String]
    var msgKey: String
    var msgParam: String
}

struct OneToOneSendResponse: Decodable {
    var processQueryKey: String
    /// Staff ids the platform does not know.
    var invalidStaffIdList: [String]?
    /// Staff ids that were sent too much lately and did not get this message.
    var flowControlledStaffIdList: [String]?
}
