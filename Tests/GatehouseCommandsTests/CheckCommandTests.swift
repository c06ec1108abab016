import ArgumentParser
import Foundation
import Testing

@testable import GatehouseCommands

@Suite struct CheckCommandTests {
    func write(_ yaml: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gh-check-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let yaml = """
        platforms:
          tg: { type: telegram, side: external, token: "1:x" }
        channels:
          news: { platform: tg, chat: -1001 }
        routes: []
        """

    @Test func aValidConfigPasses() async throws {
        let path = try write(Self.yaml)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let check = try #require(try GatehouseCommand.parseAsRoot(["check", "--config", path]) as? Check)
        try await check.run()
    }

    @Test func anInvalidConfigExitsOne() async throws {
        let path = try write(Self.yaml.replacingOccurrences(of: "channels:", with: "chanels:"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let check = try #require(try GatehouseCommand.parseAsRoot(["check", "--config", path]) as? Check)
        await #expect(throws: ExitCode(1)) {
            try await check.run()
        }
    }

    @Test func theSubcommandsOfTheContractParse() throws {
        for arguments in [
            ["run", "--config", "f.yaml"], ["check", "--config", "f.yaml"], ["demo"], ["emulate", "telegram", "--port", "8081"],
            ["emulate", "dingtalk", "--port", "0"],
        ] {
            _ = try GatehouseCommand.parseAsRoot(arguments)
        }
        #expect(throws: (any Error).self) { try GatehouseCommand.parseAsRoot(["emulate", "slack"]) }
    }
}
