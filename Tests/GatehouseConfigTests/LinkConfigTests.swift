import Foundation
import GatehouseConfig
import GatehouseCore
import Testing

/// `links: { allow, deny, schemes, public_suffix_list }`.
@Suite struct LinkConfigTests {
    static let base = """
        platforms:
          corp: { type: dingtalk, side: internal, client_id: d, client_secret: s }
        channels:
          all-hands: { platform: corp, conversation: cidA }

        """

    func load(_ checks: String) throws(ConfigError) -> GatewayConfig {
        try ConfigLoader(environment: [:]).load(yaml: Self.base + "checks:\n" + checks, file: "/etc/gatehouse/g.yaml")
    }

    func diagnostics(_ checks: String) -> [String] {
        do {
            _ = try load(checks)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    func found(_ config: GatewayConfig, _ check: String, in text: String) throws -> [String] {
        let detector = try #require(config.checks[check]?.detectors.first)
        let bytes = Array(text.utf8)
        return detector.policyMatches(in: text).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    func suffixFile(_ rules: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("psl-\(UUID().uuidString).dat").path
        try rules.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func schemesAndAPublicSuffixListAreRead() throws {
        let list = try suffixFile("com\nio\n")
        defer { try? FileManager.default.removeItem(atPath: list) }
        let config = try load(
            """
              links: { links: { allow: [acme.example, "*.acme.example"], schemes: [https, FTP], public_suffix_list: \(list) } }
            """
        )
        #expect(config.warnings.isEmpty)
        #expect(
            try found(config, "links", in: "ftp://acme.example/x http://acme.example evil.io/x file.txt tg://resolve?domain=a")
                == ["http://acme.example", "evil.io/x", "tg://resolve?domain=a"]
        )
    }

    @Test func aMissingSystemListIsAWarningAndBareDomainsFailClosed() throws {
        // The system's list is read when none is named; where it is missing, the check still loads.
        let config = try load(
            """
              links: { links: { allow: [acme.example] } }
            """
        )
        let systemList = FileManager.default.fileExists(atPath: "/usr/share/publicsuffix/public_suffix_list.dat")
        #expect(config.warnings.isEmpty == systemList)
        if !systemList {
            #expect(config.warnings.first?.description.contains("warning: check 'links': links: no Public Suffix List") == true)
        }
        #expect(try found(config, "links", in: "see evil.com/login") == ["evil.com/login"])
    }

    @Test(arguments: [
        ("  l: { links: { schemes: [\"https:\"] } }", "links: schemes[0] \"https:\""),
        ("  l: { links: { public_suffix_list: /nonexistent/psl.dat } }", "cannot read the Public Suffix List '/nonexistent/psl.dat'"),
        ("  l: { links: { public_suffix_list: \"\" } }", "public_suffix_list must not be empty"),
        ("  l: { links: { schemas: [https] } }", "unknown key 'schemas'"),
    ])
    func badLinkSettingsAreErrors(_ checks: String, _ message: String) {
        let found = diagnostics(checks)
        #expect(found.contains { $0.contains("error: ") && $0.contains(message) }, "\(found)")
    }
}
