import Crypto
import Foundation
import Hummingbird

/// Sign-in with DingTalk for web apps, as the pages "实现网页方式登录应用", "获取用户token" and
/// "获取用户通讯录个人信息" describe it: the authorize page (login.dingtalk.com/oauth2/auth, here
/// with a picker of the directory's people instead of a QR code or a password), the code exchange,
/// and the person's own details; and oapi's `topapi/user/getbyunionid`, which turns the unionId a
/// sign-in yields into the staff id the directory knows. (That last page is not among the copies
/// the emulator was written from; its shape is DingTalk's published one: `{"unionid"}` in,
/// `{"errcode":0,"result":{"contact_type":0,"userid":…}}` out, errcode 60121 for nobody.)
extension DingTalkResponder {
    func signIn(_ request: Request, path: String) async throws -> Response? {
        switch (request.method, path) {
        case (.get, "/oauth2/auth"):
            return await authorizePage(request)
        case (.post, "/oauth2/auth"):
            return await authorizeDecision(request)
        case (.post, "/v1.0/oauth2/userAccessToken"):
            let body = try await jsonBody(request)
            let token = try await app.issueUserToken(
                clientID: body["clientId"]?.stringValue ?? "",
                clientSecret: body["clientSecret"]?.stringValue ?? "",
                grantType: body["grantType"]?.stringValue ?? "",
                code: body["code"]?.stringValue,
                refreshToken: body["refreshToken"]?.stringValue
            )
            return EmulatorHTTP.json(
                .ok,
                .object([
                    ("accessToken", .string(token.access)), ("refreshToken", .string(token.refresh)),
                    ("expireIn", .int(Int64(token.expiresIn))), ("corpId", .string(configuration.corpID)),
                ])
            )
        case (.get, _) where path.hasPrefix("/v1.0/contact/users/"):
            let token = request.headers.first { $0.name.canonicalName == "x-acs-dingtalk-access-token" }?.value
            guard let token, !token.isEmpty else {
                throw DingTalkAPIError.missingToken
            }
            guard let userid = await app.userOfToken(token) else { throw DingTalkAPIError.invalidToken }
            let asked = String(path.dropFirst("/v1.0/contact/users/".count))
            let own = await app.unionID(of: userid)
            // "me" is whoever the token is of; another unionId, someone in the directory.
            let subject = asked == "me" || asked == own ? userid : await app.userid(ofUnionID: asked)
            guard let subject, let person = await app.person(subject) else {
                throw DingTalkAPIError.openAPI("invalidParameter.user.notFound", "找不到该用户", status: 404)
            }
            let openID = SHA256.hash(data: Data("\(configuration.clientID)/\(subject)".utf8)).prefix(12).map { String(format: "%02x", $0) }
                .joined()
            return EmulatorHTTP.json(
                .ok,
                .object([
                    ("nick", .string(person.name)), ("avatarUrl", .string("")), ("openId", .string(openID)),
                    ("unionId", .string(await app.unionID(of: subject))), ("stateCode", .string("86")),
                ])
            )
        case (.post, "/topapi/user/getbyunionid"):
            let query = Dictionary(EmulatorHTTP.queryPairs(of: request), uniquingKeysWith: { first, _ in first })
            guard let token = query["access_token"], await app.isValidAccessToken(token) else {
                throw DingTalkAPIError.legacy(40014, "不合法的access_token")
            }
            let body = try await legacyJSONBody(request)
            guard let unionID = body["unionid"]?.stringValue, !unionID.isEmpty else { throw DingTalkAPIError.legacy(400002, "无效的参数") }
            guard let userid = await app.userid(ofUnionID: unionID) else { throw DingTalkAPIError.legacy(60121, "找不到该用户") }
            return EmulatorHTTP.json(
                .ok,
                .object([
                    ("errcode", .int(0)), ("errmsg", .string("ok")),
                    ("result", .object([("contact_type", .int(0)), ("userid", .string(userid))])),
                    ("request_id", .string(DingTalkAppState.randomHex(bytes: 8))),
                ])
            )
        default:
            return nil
        }
    }

    /// The authorize request's parameters, checked as the page lists them; the reason when not.
    private func authorizeParameters(_ pairs: [(String, String)]) -> (parameters: [String: String], problem: String?) {
        let parameters = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        guard let redirect = parameters["redirect_uri"], let url = URLComponents(string: redirect),
            let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host?.isEmpty == false
        else { return (parameters, "redirect_uri is missing or not an http(s) URL") }
        guard parameters["response_type"] == "code" else { return (parameters, "response_type must be code") }
        guard parameters["client_id"] == configuration.clientID else { return (parameters, "client_id names no app of this organisation") }
        guard parameters["scope"] == "openid" || parameters["scope"] == "openid corpid" else {
            return (parameters, "scope must be openid or \"openid corpid\"")
        }
        guard parameters["prompt"] == "consent" else { return (parameters, "prompt must be consent") }
        return (parameters, nil)
    }

    /// The page a person signs in on: here, a list of the directory's people to sign in as.
    private func authorizePage(_ request: Request) async -> Response {
        let (parameters, problem) = authorizeParameters(EmulatorHTTP.queryPairs(of: request))
        if let problem { return Self.page(status: .badRequest, title: "登录失败", body: "<p>\(Self.escape(problem))</p>") }
        let people = await app.people.values.sorted { $0.userid < $1.userid }
        let hidden = ["redirect_uri", "response_type", "client_id", "scope", "prompt", "state"].compactMap { name in
            parameters[name].map { "<input type=\"hidden\" name=\"\(name)\" value=\"\(Self.escape($0))\">" }
        }.joined(separator: "\n")
        let choices =
            people.isEmpty
            ? "<p>The directory has nobody yet: add people with <code>POST /_emulator/directory</code>.</p>"
            : people.map { person in
                "<button type=\"submit\" name=\"userid\" value=\"\(Self.escape(person.userid))\">\(Self.escape(person.name)) <small>\(Self.escape(person.userid))</small></button>"
            }.joined(separator: "\n")
        let body = """
            <p>An app of this organisation asks who you are (scope \(Self.escape(parameters["scope"] ?? ""))).</p>
            <form method="post" action="/oauth2/auth">
            \(hidden)
            <div class="people">\(choices)</div>
            <button type="submit" name="decision" value="deny" class="deny">拒绝 Deny</button>
            </form>
            """
        return Self.page(status: .ok, title: "钉钉登录 — DingTalk emulator", body: body)
    }

    /// The person chose (or refused): back to the app with a code, or with an error.
    private func authorizeDecision(_ request: Request) async -> Response {
        guard let bytes = await EmulatorHTTP.body(of: request, limit: 64 << 10) else {
            return Self.page(status: .contentTooLarge, title: "登录失败", body: "<p>The form is too large.</p>")
        }
        let pairs = EmulatorHTTP.formPairs(Substring(decoding: bytes, as: UTF8.self))
        let (parameters, problem) = authorizeParameters(pairs)
        if let problem { return Self.page(status: .badRequest, title: "登录失败", body: "<p>\(Self.escape(problem))</p>") }
        let redirect = parameters["redirect_uri"] ?? ""
        var back = URLComponents(string: redirect) ?? URLComponents()
        var items = back.queryItems ?? []
        if parameters["decision"] == "deny" {
            items.append(URLQueryItem(name: "error", value: "access_denied"))
        } else {
            guard let userid = parameters["userid"], await app.person(userid) != nil else {
                return Self.page(status: .badRequest, title: "登录失败", body: "<p>Nobody of that id is in the directory.</p>")
            }
            let code = await app.issueSignInCode(userid: userid, redirect: redirect)
            // The page says both carry the same code.
            items += [URLQueryItem(name: "authCode", value: code), URLQueryItem(name: "code", value: code)]
        }
        if let state = parameters["state"] { items.append(URLQueryItem(name: "state", value: state)) }
        back.queryItems = items
        back.percentEncodedQuery = back.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return Response(status: .found, headers: [.location: back.string ?? redirect, .cacheControl: "no-store"])
    }

    static func page(status: HTTPResponse.Status, title: String, body: String) -> Response {
        let html = """
            <!doctype html>
            <html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
            .people button{display:block;width:100%;margin:.4rem 0;padding:.7rem;font-size:1rem;text-align:left}
            .deny{margin-top:1rem}</style></head>
            <body><h1>\(escape(title))</h1>
            \(body)
            </body></html>
            """
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }

    /// Text for HTML: the five characters that could end a text or an attribute, escaped.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
