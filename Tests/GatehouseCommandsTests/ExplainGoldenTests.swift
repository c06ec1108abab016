import Foundation
import GatehouseConfig
import Testing

@testable import GatehouseCommands

/// `gatehouse explain --format json` on the shipped examples, against reviewed golden files.
/// Set GATEHOUSE_UPDATE_GOLDEN=1 to rewrite them after a deliberate change, then review the diff.
@Suite struct ExplainGoldenTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Case: Sendable, CustomTestStringConvertible {
        var golden: String
        var config: String
        var arguments: [String]
        var testDescription: String { golden }
    }

    static let cases: [Case] = [
        // PII is masked in CJK and emoji text; offsets are Unicode scalars of the input.
        Case(
            golden: "announcements-pii",
            config: "examples/announcements.yaml",
            arguments: [
                "--from", "all-hands", "--sender-name", "王经理", "--time", "2026-11-23T10:00:00+08:00",
                "--text", "📢 新品发布！联系：+86 138-1234-5678，邮箱 press@acme.example，身份证 11010519491231002X",
            ]
        ),
        // A keyword split by a zero-width space and full-width letters is still a keyword: hold.
        Case(
            golden: "announcements-evasion",
            config: "examples/announcements.yaml",
            arguments: [
                "--from", "all-hands", "--time", "2026-11-23T10:00:00+08:00", "--text", "本文件机\u{200B}密，ｃｏｎｆｉｄｅｎｔｉａｌ",
            ]
        ),
        // A credential blocks, whatever else fires.
        Case(
            golden: "announcements-credential",
            config: "examples/announcements.yaml",
            arguments: [
                "--from", "all-hands", "--time", "2026-11-23T10:00:00+08:00",
                "--text", "deploy key: SEC" + String(repeating: "ab12", count: 16) + " call 13912345678",
            ]
        ),
        // Inbound: a link elsewhere blocks; our own site and a ticket number pass.
        Case(
            golden: "support-phishing",
            config: "examples/customer-support.yaml",
            arguments: [
                "--from", "support", "--sender", "5550001", "--sender-name", "Li", "--time", "2026-11-23T10:00:00+08:00",
                "--text", "Pay here: https://acme.example@evil.example/pay (re INC-123456)",
            ]
        ),
        Case(
            golden: "support-own-site",
            config: "examples/customer-support.yaml",
            arguments: [
                "--from", "support", "--sender", "5550001", "--sender-name", "Li", "--time", "2026-11-23T10:00:00+08:00",
                "--text", "See https://docs.acme.example/help, ticket INC-123456",
            ]
        ),
        // Allow-list: marked by a publisher in office hours → forward; outside hours → hold;
        // by someone else → block; unmarked → the default, block.
        Case(
            golden: "allow-list-publish",
            config: "examples/allow-list.yaml",
            arguments: [
                "--from", "comms", "--sender", "press01", "--time", "2026-11-23T10:00:00+08:00", "--text", "#publish New office in Shenzhen",
            ]
        ),
        Case(
            golden: "allow-list-after-hours",
            config: "examples/allow-list.yaml",
            arguments: [
                "--from", "comms", "--sender", "press01", "--time", "2026-11-23T21:00:00+08:00", "--text", "#publish New office in Shenzhen",
            ]
        ),
        Case(
            golden: "allow-list-not-a-publisher",
            config: "examples/allow-list.yaml",
            arguments: [
                "--from", "comms", "--sender", "intern07", "--time", "2026-11-23T10:00:00+08:00", "--text", "#publish New office in Shenzhen",
            ]
        ),
        Case(
            golden: "allow-list-unmarked",
            config: "examples/allow-list.yaml",
            arguments: [
                "--from", "comms", "--sender", "press01", "--time", "2026-11-23T10:00:00+08:00", "--text", "New office in Shenzhen",
            ]
        ),
    ]

    @Test(arguments: cases)
    func explainMatchesItsGoldenFile(_ test: Case) throws {
        let credentials = FileManager.default.temporaryDirectory.appendingPathComponent("gh-golden-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: credentials) }
        for name in ["telegram-token", "dingtalk-secret"] {
            try "placeholder".write(toFile: "\(credentials)/\(name)", atomically: true, encoding: .utf8)
        }
        let path = Self.root.appendingPathComponent("Config").appendingPathComponent(test.config).path
        let config = try ConfigLoader(environment: ["CREDENTIALS_DIRECTORY": credentials]).load(file: path)
        let explain = try #require(try GatehouseCommand.parseAsRoot(["explain", "--config", path, "--format", "json"] + test.arguments) as? Explain)
        let output = try explain.output(for: config) + "\n"
        let golden = Self.root.appendingPathComponent("Tests/GatehouseCommandsTests/Golden/\(test.golden).json")
        if ProcessInfo.processInfo.environment["GATEHOUSE_UPDATE_GOLDEN"] == "1" {
            try output.write(to: golden, atomically: true, encoding: .utf8)
        }
        #expect(output == (try String(contentsOf: golden, encoding: .utf8)))
        // A dry run needs no secret: with no credentials anywhere, the same decisions.
        let dry = try ConfigLoader(environment: [:], readsSecrets: false).load(file: path)
        #expect(try explain.output(for: dry) + "\n" == output)
    }
}
