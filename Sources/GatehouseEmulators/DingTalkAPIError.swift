import Foundation
import Hummingbird

/// A DingTalk failure as the platform answers it: the new API (api.dingtalk.com) with an HTTP
/// status and `{"code":"…","message":"…","requestid":"…"}`, the old one (oapi.dingtalk.com)
/// with HTTP 200 and `{"errcode":N,"errmsg":"…"}`.
struct DingTalkAPIError: Error, Sendable {
    private enum Style: Sendable {
        case openAPI(status: Int, code: String)
        case legacy(errcode: Int)
    }

    private let style: Style
    let message: String

    private init(_ style: Style, _ message: String) {
        self.style = style
        self.message = message
    }

    /// A new-API error, HTTP 400 unless given.
    static func openAPI(_ code: String, _ message: String, status: Int = 400) -> DingTalkAPIError {
        DingTalkAPIError(.openAPI(status: status, code: code), message)
    }

    /// An old-API (oapi) error.
    static func legacy(_ errcode: Int, _ errmsg: String) -> DingTalkAPIError {
        DingTalkAPIError(.legacy(errcode: errcode), errmsg)
    }

    static let invalidToken = openAPI("InvalidAuthentication", "不合法的access_token", status: 401)
    static let missingToken = openAPI("InvalidAuthentication", "缺少access_token，请在请求头 x-acs-dingtalk-access-token 中传入", status: 401)
    static let invalidBody = openAPI("invalidParameter.msgBody.invalid", "body必须是JSON")
    static let qpsLimit = openAPI(
        "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi",
        "The qps of this app and api exceeds the limit, please try again later."
    )
    static let notFound = openAPI(
        "InvalidAction.NotFound",
        "Specified api is not found, please check your url and method.",
        status: 404
    )

    /// The bounded error code, e.g. for logs.
    var code: String {
        switch style {
        case .openAPI(_, let code): code
        case .legacy(let errcode): String(errcode)
        }
    }

    var response: Response {
        switch style {
        case .openAPI(let status, let code):
            return EmulatorHTTP.json(
                HTTPResponse.Status(code: status),
                .object([
                    "code": .string(code), "message": .string(message),
                    "requestid": .string(UUID().uuidString),
                ])
            )
        case .legacy(let errcode):
            return EmulatorHTTP.json(.ok, .object(["errcode": .int(Int64(errcode)), "errmsg": .string(message)]))
        }
    }
}
