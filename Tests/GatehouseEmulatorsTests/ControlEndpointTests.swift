import Foundation
import Testing

@testable import GatehouseEmulators

/// The control APIs are documented in one list each, and every endpoint listed is one the
/// emulator answers (whatever it then says of an empty body).
@Suite("Emulators: the documented control API", .timeLimit(.minutes(1)))
struct ControlEndpointTests {
    static func path(_ endpoint: ControlEndpoint) -> String {
        endpoint.path.replacingOccurrences(of: "{id}", with: "nothing-here")
    }

    @Test("every Telegram control endpoint listed is answered")
    func telegram() async throws {
        try await withTelegram(.init(rateLimits: false)) { _, http in
            for endpoint in TelegramEmulator.controlEndpoints {
                let answer = try await http.send(endpoint.method, Self.path(endpoint), body: "", contentType: "application/json")
                #expect(!answer.text.contains("unknown control endpoint"), "\(endpoint)")
            }
            #expect(
                try await http.send("GET", "/_emulator/nothing", body: "", contentType: "application/json").text.contains("unknown control endpoint")
            )
        }
    }

    @Test("every DingTalk control endpoint listed is answered")
    func dingtalk() async throws {
        try await withDingTalk(.init(rateLimits: false)) { _, http in
            for endpoint in DingTalkEmulator.controlEndpoints {
                let answer = try await http.send(endpoint.method, Self.path(endpoint), body: "", contentType: "application/json")
                #expect(!answer.text.contains("unknown control endpoint"), "\(endpoint)")
            }
            #expect(
                try await http.send("GET", "/_emulator/nothing", body: "", contentType: "application/json").text.contains("unknown control endpoint")
            )
        }
    }
}
