import Foundation
import GatehouseConfig
import GatehouseCore
import Testing

/// Configs shaped to trap the loader or to let a message through while the record says otherwise.
@Suite struct AdversarialConfigTests {
    let rules = RulesConfigTests()

    @Test func durationsAndSizesThatOverflowAreErrorsNotTraps() {
        let problems = rules.diagnostics(
            RulesConfigTests.base + """
                audit: { origin: a, signing_key_file: /nonexistent/key, keep_content: 9223372036854775807d }
                outbox: { max_age: 106751991167301d }
                checks:
                  files: { attachments: { max_bytes: 9223372036854775807GB } }
                """
        )
        #expect(problems.contains { $0.contains("audit: keep_content is too long") })
        #expect(problems.contains { $0.contains("outbox: max_age is too long") })
        #expect(problems.contains { $0.contains("max_bytes is too large") })
    }

    @Test func redactIsRefusedForAChecksThatHasNothingToMask() {
        let problems = rules.diagnostics(
            RulesConfigTests.base + """
                checks:
                  big: { size: { max_chars: 10 } }
                  who: { senders: { deny: [u9] } }
                  mixed: { keywords: [机密], labels: [confidential] }
                  files: { attachments: { types: [pdf] } }
                routes:
                  - name: out
                    from: all-hands
                    to: news
                    on: { big: redact, who: redact, mixed: redact, files: redact }
                """
        )
        #expect(problems.count == 3)
        #expect(problems.allSatisfy { $0.contains("redact cannot apply") })
        #expect(problems.contains { $0.contains("check 'mixed' has 'label'") })
    }

    @Test func aChangedKeywordFileIsANewRevision() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-words-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let words = directory + "/words.txt"
        let yaml =
            RulesConfigTests.base + """
                checks:
                  words: { keyword_files: [words.txt] }
                routes:
                  - { name: out, from: all-hands, to: news, on: { words: block } }
                """
        let file = directory + "/gatehouse.yaml"
        try "机密\n".write(toFile: words, atomically: true, encoding: .utf8)
        let before = try ConfigLoader(environment: [:]).load(yaml: yaml, file: file).revision
        #expect(try ConfigLoader(environment: [:]).load(yaml: yaml, file: file).revision == before)
        try "机密\n内部资料\n".write(toFile: words, atomically: true, encoding: .utf8)
        let after = try ConfigLoader(environment: [:]).load(yaml: yaml, file: file)
        #expect(after.revision != before)
        #expect(
            after.gate.crossings(
                for: .init(
                    origin: .init(platform: "corp", conversation: "cidA", messageID: "1", eventID: "1"),
                    sender: .init(id: "u", name: "U"),
                    kind: .post,
                    body: .init(text: "内部资料"),
                    time: Date()
                )
            ).map(\.verdict) == [.block]
        )
    }

    @Test func aPatternThatCanBacktrackExponentiallyIsWarnedAbout() throws {
        let config = try ConfigLoader(environment: [:]).load(
            yaml: RulesConfigTests.base + """
                checks:
                  tickets: { regex: ['(x+x+)+y', '\\bINC-\\d{6}\\b'] }
                """,
            file: "/etc/gatehouse/g.yaml"
        )
        #expect(config.warnings.count == 1)
        #expect(config.warnings.first?.description.contains("'(x+x+)+y' nests a quantifier") == true)
        #expect(config.warnings.first?.description.contains("warning") == true)
    }
}
