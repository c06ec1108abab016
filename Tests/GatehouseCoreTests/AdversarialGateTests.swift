import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

/// What crosses is what was checked: the sender's name a template adds and the file names that go
/// with a message are judged like its text, and masked where the finding is.
@Suite struct AdversarialGateTests {
    func gate(template: String, verdicts: [(check: String, verdict: Verdict)]) throws -> Gate {
        Gate(
            router: Router(
                channels: [
                    "support": Channel(name: "support", platform: "tg", address: .chat("-100", topic: nil)),
                    "desk": Channel(name: "desk", platform: "corp", address: .conversation("cidDesk")),
                ],
                routes: [Route(name: "customers-in", from: ["support"], to: ["desk"], on: verdicts, template: try Template(parsing: template))]
            ),
            sides: ["tg": .external, "corp": .internal],
            policy: Policy(checks: [
                "links": Check(name: "links", detectors: [try LinkDetector(allow: ["acme.example"], deny: [])]),
                "pii": Check(name: "pii", detectors: [CNMobileDetector()]),
            ])
        )
    }

    func customer(named name: String, text: String, files: [Envelope.Attachment] = []) -> Envelope {
        var envelope = Fixtures.envelope(platform: "tg", conversation: "-100", text: text)
        envelope.sender = .init(id: "42", name: name)
        envelope.attachments = files
        return envelope
    }

    @Test func aLinkInACustomersNameIsBlockedWhereTheTemplateSendsTheName() throws {
        let envelope = customer(named: "www.evil-login.example", text: "Your account is locked")
        let crossing = try #require(try gate(template: "{sender.name}: {text}", verdicts: [("links", .block)]).crossings(for: envelope).first)
        #expect(crossing.verdict == .block)
        #expect(crossing.findings == [Finding(check: "links", detector: "link", offset: 0, length: 22, field: "sender.name")])
        // A route that does not send the name is not judged by it.
        #expect(try gate(template: "{text}", verdicts: [("links", .block)]).crossings(for: envelope).first?.verdict == .forward)
    }

    @Test func redactionMasksInsideTheNameAndTheFileNames() throws {
        let envelope = customer(
            named: "Li 13812345678",
            text: "see attached",
            files: [.init(reference: "F", name: "id-13987654321.pdf", mimeType: "application/pdf", bytes: 10)]
        )
        let crossing = try #require(try gate(template: "{sender.name}: {text}", verdicts: [("pii", .redact)]).crossings(for: envelope).first)
        #expect(crossing.verdict == .redact)
        #expect(crossing.text == "Li [REDACTED:cn_mobile]: see attached")
        #expect(crossing.attachments.map(\.name) == ["id-[REDACTED:cn_mobile].pdf"])
        #expect(Set(crossing.findings.compactMap(\.field)) == ["sender.name", "attachment.0.name"])
    }
}
