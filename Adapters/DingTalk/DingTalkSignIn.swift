import AsyncHTTPClient
import Foundation
import GatehouseCore
import Logging

/// Sign-in to the web console with the company's DingTalk app: the browser goes to DingTalk's
/// authorize page (`login.dingtalk.com/oauth2/auth`), comes back with a code, which is exchanged
/// for the person's token (`/v1.0/oauth2/userAccessToken`); their unionId comes from
/// `/v1.0/contact/users/me`, their staff id from the app's `topapi/user/getbyunionid`, their name
/// and departments from the directory (`topapi/v2/user/get`, `topapi/v2/department/get`). The
/// person's token is used for that one question and dropped.
public struct DingTalkSignIn: ConsoleSignIn {
    let platform: String
    let clientID: String
    let clientSecret: Secret
    let loginURL: String
    let api: OpenAPIClient
    let directory: Directory

    public init(
        platform: String,
        clientID: String,
        clientSecret: Secret,
        apiURL: String,
        oapiURL: String,
        loginURL: String,
        httpClient: HTTPClient,
        logger: Logger
    ) {
        self.platform = platform
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.loginURL = loginURL
        self.api = OpenAPIClient(baseURL: apiURL, http: httpClient)
        let tokens = AccessTokenCache(client: api, appKey: clientID, appSecret: clientSecret)
        // Departments are asked afresh at each sign-in (a minute's cache): who may do what follows
        // the directory as it is now.
        self.directory = Directory(oapiURL: oapiURL, http: httpClient, tokens: tokens, ttl: .seconds(60), logger: logger)
    }

    public func authorizeURL(redirect: String, state: String) -> String {
        // The page: "redirect_uri必须要做urlencode" — every value fully encoded, ':' and '/' too.
        var unreserved = CharacterSet.alphanumerics
        unreserved.insert(charactersIn: "-._~")
        let query = [
            ("redirect_uri", redirect), ("response_type", "code"), ("client_id", clientID), ("scope", "openid"), ("state", state),
            ("prompt", "consent"),
        ].map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")" }.joined(separator: "&")
        return loginURL + "/oauth2/auth?" + query
    }

    public func identify(code: String) async throws -> ReviewerIdentity {
        let token: UserTokenResponse = try await api.post(
            "/v1.0/oauth2/userAccessToken",
            UserTokenRequest(clientId: clientID, clientSecret: clientSecret.value, code: code, grantType: "authorization_code"),
            timeout: .seconds(10)
        )
        let me: ContactUser = try await api.get("/v1.0/contact/users/me", query: [], accessToken: token.accessToken, timeout: .seconds(10))
        guard let unionID = me.unionId, !unionID.isEmpty else { throw DeliveryError.invalidResponse("users/me: no unionId") }
        let staff: UnionIDResult = try await directory.call("/topapi/user/getbyunionid", ["unionid": unionID])
        guard let userid = staff.userid, !userid.isEmpty else {
            throw DeliveryError.rejected("getbyunionid: the person is not staff of the organisation")
        }
        let person = try await directory.lookup(userid)
        return ReviewerIdentity(via: .dingtalk, id: userid, name: person.name, departments: person.departments, platform: platform)
    }
}

/// `/v1.0/oauth2/userAccessToken`'s request and answer.
struct UserTokenRequest: Encodable, Sendable {
    var clientId: String
    var clientSecret: String
    var code: String
    var grantType: String
}

struct UserTokenResponse: Decodable {
    var accessToken: String
    var refreshToken: String?
    var expireIn: Int?
    var corpId: String?
}

/// `/v1.0/contact/users/me`: the fields sign-in reads.
struct ContactUser: Decodable {
    var nick: String?
    var unionId: String?
}

/// `topapi/user/getbyunionid`'s `result`.
struct UnionIDResult: Decodable {
    var userid: String?
    var contactType: Int?

    enum CodingKeys: String, CodingKey {
        case userid
        case contactType = "contact_type"
    }
}
