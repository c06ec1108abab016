import GatehouseCore
import GatehouseTesting
import Testing

@Suite struct TemplateTests {
    @Test func parsesVariablesLiteralsAndEscapedBraces() throws {
        let template = try Template(parsing: "{{x}} 📢 {text} — {sender.name}")
        #expect(
            template.segments == [
                .literal("{x} 📢 "), .variable(.text), .literal(" — "), .variable(.senderName),
            ]
        )
    }

    @Test(arguments: [
        ("{txt}", 0, "unknown template variable '{txt}'"),
        ("ab {text", 3, "unclosed '{'"),
        ("a } b", 2, "unmatched '}'"),
        ("机密 {sender.nom}", 3, "unknown template variable '{sender.nom}'"),
    ])
    func reportsWhereATemplateIsWrong(source: String, offset: Int, message: String) {
        #expect {
            try Template(parsing: source)
        } throws: { error in
            guard let error = error as? TemplateError else { return false }
            return error.offset == offset && error.message.hasPrefix(message)
        }
    }

    @Test func rendersEveryVariable() throws {
        let template = try Template(parsing: "[{platform}/{channel}/{route}] {sender.name} ({sender.dept}, {sender.id}): {text}")
        let envelope = Fixtures.envelope(platform: "corp", conversation: "cid", text: "hi", sender: "u7", senderName: "Ada")
        let text = Renderer().render(
            template,
            text: envelope.body.text,
            envelope: envelope,
            context: .init(route: "r1", channel: "all-hands", platform: "corp")
        )
        #expect(text == "[corp/all-hands/r1] Ada (Sales, u7): hi")
    }
}
