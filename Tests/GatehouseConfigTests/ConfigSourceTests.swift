import Foundation
import GatehouseConfig
import GatehouseCore
import Testing

/// The config's files as the console keeps them: every secret written inline masked, whatever
/// its YAML style; the rest as written.
@Suite struct ConfigSourceTests {
    @Test func everyInlineSecretIsMaskedAndTheRestIsAsWritten() throws {
        let yaml = """
            listen: { http: "127.0.0.1:8080" }
            platforms:
              corp: { type: dingtalk, side: internal, client_id: d, client_secret: "s3cr\\"et-one", robot_code: r }
              tg:
                type: telegram
                side: external
                token: 12345:plain-token-two # the bot's
              hooks: { type: telegram, side: external, token: 'it''s-three', receive: webhook, webhook_secret: four-4, public_url: "https://gw.example" }
            channels:
              all-hands: { platform: corp, conversation: cidA }
              news: { platform: tg, chat: -1001 }
            routes:
              - { name: announcements, from: all-hands, to: [news] }
            """
        let config = try ConfigLoader(environment: [:]).load(yaml: yaml, file: "/etc/gatehouse/gatehouse.yaml")
        let text = try #require(config.sources.first?.text)
        for secret in ["s3cr", "et-one", "plain-token-two", "it''s-three", "it's-three", "four-4"] {
            #expect(!text.contains(secret), "\(secret)")
        }
        #expect(text.components(separatedBy: ConfigSource.mask).count == 5)
        // What is not a secret is kept as written, comments and flow style included.
        #expect(text.contains(#"client_secret: "••••••", robot_code: r }"#))
        #expect(text.contains("token: \"••••••\" # the bot's"))
        #expect(text.contains(#"webhook_secret: "••••••", public_url: "https://gw.example" }"#))
        #expect(text.components(separatedBy: "\n").count == yaml.components(separatedBy: "\n").count)
        #expect(config.sources.map(\.path) == ["/etc/gatehouse/gatehouse.yaml"])
    }

    @Test func secretsInFilesAreNamedNotRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-source-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "123:secret-in-a-file".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        try "机密\n内幕\n".write(toFile: directory + "/words.txt", atomically: true, encoding: .utf8)
        let yaml = """
            platforms:
              tg: { type: telegram, side: external, token_file: \(directory)/token }
            channels:
              news: { platform: tg, chat: -1001 }
              support: { platform: tg, chat: -1002 }
            checks:
              secret: { keyword_files: [\(directory)/words.txt] }
            routes:
              - { name: r, from: support, to: [news], on: { secret: block } }
            """
        let config = try ConfigLoader(environment: [:]).load(yaml: yaml, file: directory + "/gatehouse.yaml")
        #expect(config.sources.map(\.path) == [directory + "/gatehouse.yaml", directory + "/words.txt"])
        #expect(config.sources[0].text == yaml)
        #expect(config.sources[1].text == "机密\n内幕\n")
        #expect(!config.sources.contains { $0.text.contains("secret-in-a-file") })
    }
}
