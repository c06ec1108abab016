import Foundation
import GatehouseConfig
import GatehouseLedger
import GatehouseTesting
import Testing

@testable import GatehouseCommands

/// `gatehouse run` whose state cannot be opened stops with an error that names it, its platform
/// client shut down (left open, the process would stop on an assertion instead).
@Suite(.timeLimit(.minutes(1))) struct RunCommandTests {
    /// A config with its signing key, in a folder of its own; `state` is the state's YAML.
    static func config(state: String, in directory: String) throws -> GatewayConfig {
        let (_, privateKey, _) = try NoteSigner.generate(name: "run.example/audit")
        try (privateKey.value + "\n").write(toFile: "\(directory)/audit.key", atomically: true, encoding: .utf8)
        try "not-the-password\n".write(toFile: "\(directory)/password", atomically: true, encoding: .utf8)
        let yaml = """
            \(state)
            platforms:
              tg: { type: telegram, side: external, token: "1:x", api_url: "http://127.0.0.1:1" }
            channels:
              news: { platform: tg, chat: -1001 }
            routes: []
            audit: { origin: run.example/audit, signing_key_file: \(directory)/audit.key }
            """
        return try ConfigLoader(environment: [:]).load(yaml: yaml, file: "\(directory)/gatehouse.yaml")
    }

    @Test func anUnreachableDatabaseIsAnErrorNamingIt() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Port 1 on the loopback: nothing listens there.
        let config = try Self.config(
            state: "state: { url: \"postgres://gatehouse@127.0.0.1:1/gatehouse\", password_file: \(directory)/password }",
            in: directory
        )
        await #expect {
            try await Run.serve(config, logger: quietLogger("test"))
        } throws: { error in
            "\(error)".contains("state: postgres://gatehouse@127.0.0.1:1/gatehouse")
        }
    }

    @Test func aStateAnotherGatewayHoldsIsAnError() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let held = try StateLock(directory: "\(directory)/state")
        defer { withExtendedLifetime(held) {} }
        let config = try Self.config(state: "state: \(directory)/state", in: directory)
        await #expect(throws: CommandFailure.self) {
            try await Run.serve(config, logger: quietLogger("test"))
        }
    }
}
