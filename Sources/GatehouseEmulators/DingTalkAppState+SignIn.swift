import Crypto
import Foundation

/// Signing a person in to a web app with the company's DingTalk app (OAuth 2.0, authorization
/// code): the authorize page gives the app a code for the person, the app exchanges it for the
/// person's token (`/v1.0/oauth2/userAccessToken`), and reads who they are with it
/// (`/v1.0/contact/users/me`).
extension DingTalkAppState {
    /// A code the authorize page gave out: whose, for which redirect, until when.
    struct SignInCode: Sendable {
        var userid: String
        var redirect: String
        var expires: ContinuousClock.Instant
    }

    /// A person's token.
    struct UserToken: Sendable {
        var userid: String
        var expires: ContinuousClock.Instant
    }

    /// How long a code may wait for its exchange (the pages do not say; OAuth's advice is
    /// minutes at most), and how many may wait at once.
    static let codeLifetime: Duration = .seconds(300)
    static let maxWaitingCodes = 10_000
    /// A person's token lives 7,200 s, its refresh token 30 days (obtain-user-token).
    static let userTokenLifetime = 7200
    static let refreshTokenLifetime: Duration = .seconds(30 * 86_400)

    /// The person's unionId: the same for them in every app of the organisation, so derived from
    /// the organisation and their staff id.
    func unionID(of userid: String) -> String {
        let digest = SHA256.hash(data: Data("\(configuration.corpID)/\(userid)".utf8))
        return String(digest.map { String(format: "%02x", $0) }.joined().prefix(24))
    }

    /// The staff id of the person with this unionId, if they are in the directory.
    func userid(ofUnionID unionID: String) -> String? {
        people.keys.sorted().first { self.unionID(of: $0) == unionID }
    }

    /// A code for a person who agreed on the authorize page.
    func issueSignInCode(userid: String, redirect: String) -> String {
        let now = ContinuousClock.now
        signInCodes = signInCodes.filter { $0.value.expires > now }
        if signInCodes.count >= Self.maxWaitingCodes, let oldest = signInCodes.min(by: { $0.value.expires < $1.value.expires })?.key {
            signInCodes[oldest] = nil
        }
        let code = Self.randomHex(bytes: 16)
        signInCodes[code] = SignInCode(userid: userid, redirect: redirect, expires: now + Self.codeLifetime)
        return code
    }

    /// Exchanges a code (once) or a refresh token for a person's token and a new refresh token.
    func issueUserToken(
        clientID: String,
        clientSecret: String,
        grantType: String,
        code: String?,
        refreshToken: String?
    ) throws -> (access: String, refresh: String, expiresIn: Int) {
        guard Self.constantTimeEqual(clientID, configuration.clientID), Self.constantTimeEqual(clientSecret, configuration.clientSecret) else {
            throw DingTalkAPIError.openAPI("invalidClientIdOrSecret", "无效的clientId或者clientSecret")
        }
        let now = ContinuousClock.now
        let userid: String
        switch grantType {
        case "authorization_code":
            guard let code, !code.isEmpty else { throw DingTalkAPIError.openAPI("MissingCode", "code is mandatory for this action.") }
            // Single use: a second exchange of the same code fails like a made-up one.
            guard let issued = signInCodes.removeValue(forKey: code), issued.expires > now else {
                throw DingTalkAPIError.openAPI("invalidAuthCode", "授权码无效或已过期")
            }
            userid = issued.userid
        case "refresh_token":
            guard let refreshToken, let held = refreshTokens.removeValue(forKey: refreshToken), held.expires > now else {
                throw DingTalkAPIError.openAPI("invalidRefreshToken", "refreshToken无效或已过期")
            }
            userid = held.userid
        default:
            throw DingTalkAPIError.openAPI("invalidGrantType", "grantType取值无效")
        }
        userTokens = userTokens.filter { $0.value.expires > now }
        refreshTokens = refreshTokens.filter { $0.value.expires > now }
        let access = Self.randomHex(bytes: 16)
        let refresh = Self.randomHex(bytes: 16)
        userTokens[access] = UserToken(userid: userid, expires: now + .seconds(Self.userTokenLifetime))
        refreshTokens[refresh] = UserToken(userid: userid, expires: now + Self.refreshTokenLifetime)
        return (access, refresh, Self.userTokenLifetime)
    }

    /// The person a token of theirs names, while it is valid.
    func userOfToken(_ token: String) -> String? {
        guard let held = userTokens[token], held.expires > .now else { return nil }
        return held.userid
    }
}
