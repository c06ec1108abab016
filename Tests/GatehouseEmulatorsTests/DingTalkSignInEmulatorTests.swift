import AsyncHTTPClient
import Foundation
import Testing

@testable import GatehouseEmulators

/// Sign-in with DingTalk as a web app meets it: the authorize page (a picker of the directory's
/// people), the redirect back with a one-use code, the code exchange for the person's token,
/// their details, and their staff id from their unionId.
@Suite("DingTalk emulator: sign-in", .timeLimit(.minutes(2)))
struct DingTalkSignInEmulatorTests {
    static let configuration = DingTalkEmulator.Configuration(rateLimits: false)
    static let redirect = "https://console.example/signin/callback"

    static func authorizeQuery(state: String = "s1", clientID: String = configuration.clientID, prompt: String = "consent") -> String {
        var components = URLComponents()
        components.queryItems = [
            URLQueryItem(name: "redirect_uri", value: redirect), URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "client_id", value: clientID), URLQueryItem(name: "scope", value: "openid"),
            URLQueryItem(name: "state", value: state), URLQueryItem(name: "prompt", value: prompt),
        ]
        return components.percentEncodedQuery ?? ""
    }

    /// Posts the authorize form as the page's button would, and returns where it sends the browser.
    static func choose(_ base: String, _ fields: String) async throws -> (status: Int, location: String?) {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { _ = client.shutdown() }
        var request = HTTPClientRequest(url: base + "/oauth2/auth")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(Array(fields.utf8))
        let response = try await client.execute(request, timeout: .seconds(30))
        return (Int(response.status.code), response.headers.first(name: "location"))
    }

    @Test("a person picked on the authorize page is signed in: code, token, details, staff id")
    func signInFlow() async throws {
        try await withDingTalk(Self.configuration) { emulator, http in
            await emulator.addToDirectory(
                .init(people: [.init(userid: "m01", name: "王<经理>", deptIdList: [2])], departments: [.init(deptId: 2, name: "合规部")])
            )
            let page = try await http.get("/oauth2/auth?" + Self.authorizeQuery())
            #expect(page.status == 200)
            // The person's name is text on the page, never markup.
            #expect(page.text.contains("name=\"userid\" value=\"m01\"") && page.text.contains("王&lt;经理&gt;"))
            #expect(page.text.contains("name=\"state\" value=\"s1\""))

            let chosen = try await Self.choose(http.base, Self.authorizeQuery() + "&userid=m01")
            #expect(chosen.status == 302)
            let back = try #require(chosen.location.flatMap(URLComponents.init(string:)))
            #expect(back.host == "console.example" && back.path == "/signin/callback")
            let items = Dictionary((back.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
            let code = try #require(items["authCode"])
            #expect(items["code"] == code && items["state"] == "s1")

            func exchange(_ code: String, secret: String = Self.configuration.clientSecret) async throws -> HTTPAnswer {
                try await http.post(
                    "/v1.0/oauth2/userAccessToken",
                    json: .object([
                        "clientId": .string(Self.configuration.clientID), "clientSecret": .string(secret),
                        "code": .string(code), "grantType": .string("authorization_code"),
                    ])
                )
            }
            #expect(try await exchange(code, secret: "wrong").json["code"] == .string("invalidClientIdOrSecret"))
            let token = try await exchange(code)
            #expect(token.status == 200 && token.json["expireIn"] == .int(7200) && token.json["corpId"]?.stringValue != nil)
            let access = try #require(token.json["accessToken"]?.stringValue)
            // A code is good once.
            let again = try await exchange(code)
            #expect(again.status == 400 && again.json["code"] == .string("invalidAuthCode"))

            let me = try await http.send("GET", "/v1.0/contact/users/me", headers: [("x-acs-dingtalk-access-token", access)])
            #expect(me.status == 200 && me.json["nick"] == .string("王<经理>"))
            let unionID = try #require(me.json["unionId"]?.stringValue)
            let stranger = try await http.send("GET", "/v1.0/contact/users/me", headers: [("x-acs-dingtalk-access-token", "made-up")])
            #expect(stranger.status == 401)

            let appToken = try #require(
                try await http.post(
                    "/v1.0/oauth2/accessToken",
                    json: .object(["appKey": .string(Self.configuration.clientID), "appSecret": .string(Self.configuration.clientSecret)])
                ).json["accessToken"]?.stringValue
            )
            let staff = try await http.post("/topapi/user/getbyunionid?access_token=\(appToken)", json: .object(["unionid": .string(unionID)]))
            #expect(staff.json["errcode"] == .int(0) && staff.json["result"]?["userid"] == .string("m01"))
            let nobody = try await http.post("/topapi/user/getbyunionid?access_token=\(appToken)", json: .object(["unionid": .string("nope")]))
            #expect(nobody.json["errcode"] == .int(60121))
        }
    }

    @Test("the authorize page refuses a wrong app or request, and a refusal goes back as an error")
    func refusals() async throws {
        try await withDingTalk(Self.configuration) { emulator, http in
            await emulator.addToDirectory(.init(people: [.init(userid: "m01", name: "王经理")]))
            #expect(try await http.get("/oauth2/auth?" + Self.authorizeQuery(clientID: "dingother")).status == 400)
            #expect(try await http.get("/oauth2/auth?" + Self.authorizeQuery(prompt: "none")).status == 400)
            // Someone not in the directory cannot be picked.
            #expect(try await Self.choose(http.base, Self.authorizeQuery() + "&userid=ghost").status == 400)
            let denied = try await Self.choose(http.base, Self.authorizeQuery(state: "s2") + "&decision=deny")
            #expect(denied.status == 302)
            let back = try #require(denied.location.flatMap(URLComponents.init(string:)))
            #expect(back.queryItems?.contains(URLQueryItem(name: "error", value: "access_denied")) == true)
            #expect(back.queryItems?.contains(URLQueryItem(name: "state", value: "s2")) == true)
            #expect(back.queryItems?.contains { $0.name == "authCode" } == false)
        }
    }
}
