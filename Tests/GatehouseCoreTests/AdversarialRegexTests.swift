import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

/// A pattern that backtracks exponentially used to run for seconds, synchronously in intake, on a
/// 44-character message: the watchdog then killed the daemon, the message was redelivered, and
/// the loop began again.
@Suite struct AdversarialRegexTests {
    @Test func aRunawayPatternIsStoppedAtItsBudgetAndTheMessageIsHeld() throws {
        let regex = try RegexSet(patterns: ["(x+x+)+y"], budget: .milliseconds(50))
        let gate = Gate(
            router: Router(
                channels: [
                    "in": Channel(name: "in", platform: "corp", address: .conversation("c")),
                    "out": Channel(name: "out", platform: "tg", address: .chat("-1", topic: nil)),
                ],
                routes: [Route(name: "r", from: ["in"], to: ["out"], on: [(check: "tickets", verdict: .redact)])]
            ),
            sides: ["corp": .internal, "tg": .external],
            policy: Policy(checks: ["tickets": Check(name: "tickets", detectors: [regex])])
        )
        // The pattern's required literal (y) must occur for the engine to run at all.
        let started = ContinuousClock.now
        let crossings = gate.crossings(for: Fixtures.envelope(platform: "corp", conversation: "c", text: "y " + String(repeating: "x", count: 44)))
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(crossings.first?.verdict == .hold)
        #expect(crossings.first?.findings.map(\.detector) == ["regex_timeout"])
        // A pattern that finishes in time matches as before.
        var matches: [Range<Int>] = []
        var text = "see INC-123456 now"
        let finished = text.withUTF8 { try! RegexSet(patterns: [#"INC-\d{6}"#]).scanWithinBudget(NormalizedText($0), into: &matches) }
        #expect(finished && matches == [4..<14])
    }

    @Test(arguments: [
        ("(x+x+)+y", true), ("(a+)+", true), ("(a*b?)*c", true), ("(?:ab|a)+", false), (#"\bINC-\d{6}\b"#, false),
        ("(a|b)*", false), (#"\(x+\)+"#, false), ("[(a+)]+", false), ("(a?)+", true), ("(ab)+", false),
    ])
    func nestedQuantifiersAreRecognised(_ pattern: String, _ nested: Bool) {
        #expect(RegexSet.hasNestedQuantifier(pattern) == nested)
    }
}
