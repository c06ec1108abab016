import AsyncHTTPClient
import DingTalkAdapter
import Foundation
import GatehouseCore
import GatehouseEmulators
import GatehouseTesting
import Testing

/// Sign-in to the console with the company's DingTalk app, against the emulator: the authorize
/// URL as the pages spell it, and the person a code names — staff id, name, departments.
@Suite(.timeLimit(.minutes(2))) struct DingTalkSignInTests {
    func withSignIn(_ body: (DingTalkSignIn, DingTalkEmulator) async throws -> Void) async throws {
        let emulator = DingTalkEmulator(
            configuration: .init(clientID: "dinglogin", clientSecret: "login-secret", rateLimits: false),
            logger: quietLogger("emulator")
        )
        try await withServices([emulator]) {
            let base = "http://127.0.0.1:\(try await emulator.port())"
            await emulator.addToDirectory(
                .init(
                    people: [.init(userid: "m01", name: "王经理", deptIdList: [2, 3])],
                    departments: [.init(deptId: 2, name: "合规部"), .init(deptId: 3, name: "审计部")]
                )
            )
            let signIn = DingTalkSignIn(
                platform: "corp",
                clientID: "dinglogin",
                clientSecret: Secret("login-secret"),
                apiURL: base,
                oapiURL: base,
                loginURL: base,
                httpClient: HTTPClient.shared,
                logger: quietLogger("test")
            )
            try await body(signIn, emulator)
        }
    }

    @Test func theAuthorizeURLIsAsThePagesSpellIt() async throws {
        try await withSignIn { signIn, _ in
            let url = signIn.authorizeURL(redirect: "https://console.example/signin/callback", state: "a+b/c")
            let components = try #require(URLComponents(string: url))
            #expect(components.path == "/oauth2/auth")
            let items = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
            #expect(items["redirect_uri"] == "https://console.example/signin/callback" && items["response_type"] == "code")
            #expect(items["client_id"] == "dinglogin" && items["scope"] == "openid" && items["prompt"] == "consent")
            // A "+" in the state would come back as a space if it were not escaped.
            #expect(items["state"] == "a+b/c" && components.percentEncodedQuery?.contains("state=a%2Bb%2Fc") == true)
            // The page asks for redirect_uri URL-encoded.
            #expect(components.percentEncodedQuery?.contains("redirect_uri=https%3A%2F%2Fconsole.example%2Fsignin%2Fcallback") == true)
        }
    }

    @Test func aCodeNamesThePersonWithTheirDepartmentsAndIsGoodOnce() async throws {
        try await withSignIn { signIn, _ in
            let back = try await SignInBrowser.pick("m01", at: signIn.authorizeURL(redirect: "https://console.example/cb", state: "s"))
            let code = try #require(SignInBrowser.parameter("authCode", of: back))
            let person = try await signIn.identify(code: code)
            #expect(person == ReviewerIdentity(via: .dingtalk, id: "m01", name: "王经理", departments: ["合规部", "审计部"], platform: "corp"))
            await #expect(throws: (any Error).self) { try await signIn.identify(code: code) }
            await #expect(throws: (any Error).self) { try await signIn.identify(code: "made-up") }
        }
    }
}
