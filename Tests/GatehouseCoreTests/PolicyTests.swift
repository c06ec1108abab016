import Foundation
import GatehouseCore
import GatehouseTesting
import Synchronization
import Testing

/// A detector that finds a fixed word and counts how often it is asked.
final class WordDetector: Detector {
    let name: String
    let word: [UInt8]
    let scans = Mutex(0)

    init(_ word: String, name: String = "word") {
        self.word = Array(word.utf8)
        self.name = name
    }

    func scan(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>]) {
        scans.withLock { $0 += 1 }
        guard text.count >= word.count else { return }
        for start in 0...(text.count - word.count) where Array(text[start..<(start + word.count)]) == word {
            matches.append(start..<(start + word.count))
        }
    }
}

@Suite struct PolicyTests {
    let policy = Policy(checks: [
        "a": Check(name: "a", detectors: [WordDetector("alpha")]),
        "b": Check(name: "b", detectors: [WordDetector("beta")]),
        "c": Check(name: "c", detectors: [WordDetector("gamma")]),
        "d": Check(name: "d", detectors: [WordDetector("delta")]),
    ])

    func verdict(_ text: String, _ on: [(String, Verdict)], default fallback: Verdict = .forward) -> Verdict {
        let route = Route(name: "r", from: ["s"], to: ["t"], on: on.map { (check: $0.0, verdict: $0.1) }, defaultVerdict: fallback)
        return policy.decide(Fixtures.envelope(platform: "p", conversation: "c", text: text), on: route).verdict
    }

    @Test(arguments: [
        ("nothing here", Verdict.forward),
        ("alpha", .forward),
        ("beta", .redact),
        ("gamma beta alpha", .hold),
        ("delta gamma beta alpha", .block),
        ("alpha delta", .block),
    ])
    func theGreatestVerdictOfTheFiringChecksWins(text: String, expected: Verdict) {
        #expect(verdict(text, [("a", .forward), ("b", .redact), ("c", .hold), ("d", .block)]) == expected)
    }

    @Test func theDefaultAppliesOnlyWhenNoListedCheckFires() {
        // An allow-list route: blocked unless marked, and a marked message with a blocking finding stays blocked.
        let allowList: [(String, Verdict)] = [("a", .forward), ("d", .block)]
        #expect(verdict("plain", allowList, default: .block) == .block)
        #expect(verdict("alpha: publish", allowList, default: .block) == .forward)
        #expect(verdict("alpha delta", allowList, default: .block) == .block)
        // A check the route does not list does not apply.
        #expect(verdict("delta", [("a", .hold)]) == .forward)
    }

    @Test func findingsSayWhichCheckAndWhereNeverWhat() {
        let route = Route(name: "r", from: ["s"], to: ["t"], on: [(check: "b", verdict: .redact), (check: "a", verdict: .hold)])
        let decision = policy.decide(Fixtures.envelope(platform: "p", conversation: "c", text: "机密 beta 📢 alpha"), on: route)
        #expect(decision.verdict == .hold)
        #expect(
            decision.findings == [
                Finding(check: "b", detector: "word", offset: 3, length: 4),
                Finding(check: "a", detector: "word", offset: 10, length: 5),
            ]
        )
        #expect(decision.masked == [Finding(check: "b", detector: "word", offset: 3, length: 4)])
    }

    @Test func anUndefinedCheckFailsClosed() {
        #expect(verdict("anything", [("missing", .block)]) == .block)
    }

    @Test func eachCheckRunsOncePerEnvelopeWhateverTheNumberOfRoutes() throws {
        let counting = WordDetector("alpha")
        let gate = Gate(
            router: Router(
                channels: [
                    "s": Channel(name: "s", platform: "p", address: .conversation("c")),
                    "t1": Channel(name: "t1", platform: "q", address: .chat("-1", topic: nil)),
                    "t2": Channel(name: "t2", platform: "q", address: .chat("-2", topic: nil)),
                ],
                routes: [
                    Route(name: "r1", from: ["s"], to: ["t1", "t2"], on: [(check: "a", verdict: .redact)]),
                    Route(name: "r2", from: ["s"], to: ["t2"], on: [(check: "a", verdict: .block)]),
                ]
            ),
            sides: ["p": .internal, "q": .external],
            policy: Policy(checks: ["a": Check(name: "a", detectors: [counting])])
        )
        let crossings = gate.crossings(for: Fixtures.envelope(platform: "p", conversation: "c", text: "say alpha"))
        #expect(crossings.map(\.verdict) == [.redact, .redact, .block])
        #expect(crossings.first?.text == "say [REDACTED:word]")
        // Once each for the text, the sender's name and their department: not once per route.
        #expect(counting.scans.withLock { $0 } == 3)
    }

    @Test func routesTakeEditsAndDeletesOnlyWhenTheyMirrorThem() {
        let channels = [
            "s": Channel(name: "s", platform: "p", address: .conversation("c")),
            "t": Channel(name: "t", platform: "q", address: .chat("-1", topic: nil)),
        ]
        let gate = Gate(
            router: Router(
                channels: channels,
                routes: [
                    Route(name: "posts", from: ["s"], to: ["t"]),
                    Route(name: "mirrored", from: ["s"], to: ["t"], mirror: [.edit]),
                ]
            ),
            sides: [:]
        )
        #expect(gate.crossings(for: Fixtures.envelope(platform: "p", conversation: "c", text: "x")).map(\.route) == ["posts", "mirrored"])
        let edit = gate.crossings(for: Fixtures.envelope(platform: "p", conversation: "c", text: "x", kind: .edit))
        #expect(edit.map(\.route) == ["mirrored"])
        #expect(edit.first?.kind == .edit)
        #expect(gate.crossings(for: Fixtures.envelope(platform: "p", conversation: "c", text: "x", kind: .delete)).isEmpty)
    }
}

@Suite struct RedactorTests {
    @Test(
        arguments: [
            // (text, findings as (offset, length, detector), expected)
            ("call 13812345678 now", [(5, 11, "cn_mobile")], "call [REDACTED:cn_mobile] now"),
            ("电话：13812345678。", [(3, 11, "cn_mobile")], "电话：[REDACTED:cn_mobile]。"),
            ("👨‍👩‍👧 a@b.cn 🎉", [(6, 6, "email")], "👨‍👩‍👧 [REDACTED:email] 🎉"),
            ("abcdef", [(0, 3, "x"), (2, 3, "y")], "[REDACTED:x]f"),
            ("abcdef", [(2, 2, "inner"), (0, 6, "outer")], "[REDACTED:outer]"),
            ("abcdef", [(4, 2, "b"), (0, 1, "a")], "[REDACTED:a]bcd[REDACTED:b]"),
            ("abc", [(0, 0, "attachment")], "abc"),
        ] as [(String, [(Int, Int, String)], String)]
    )
    func masksEachSpanInUnicodeScalars(text: String, spans: [(Int, Int, String)], expected: String) {
        let findings = spans.map { Finding(check: "c", detector: $0.2, offset: $0.0, length: $0.1) }
        #expect(Redactor.mask(text, findings) == expected)
    }
}

extension RedactorTests {
    /// The masking rule written plainly over an array of scalars.
    static func reference(_ text: String, _ findings: [Finding]) -> String {
        let scalars = Array(text.unicodeScalars)
        let spans = findings.filter { $0.length > 0 }.sorted { ($0.offset, -$0.length) < ($1.offset, -$1.length) }
        var output = ""
        var position = 0
        var index = 0
        while index < spans.count {
            let first = spans[index]
            var end = first.offset + first.length
            index += 1
            while index < spans.count, spans[index].offset < end {
                end = max(end, spans[index].offset + spans[index].length)
                index += 1
            }
            let start = min(max(first.offset, position), scalars.count)
            output.unicodeScalars.append(contentsOf: scalars[min(position, scalars.count)..<start])
            output += "[REDACTED:\(first.detector)]"
            position = max(min(end, scalars.count), start)
        }
        output.unicodeScalars.append(contentsOf: scalars[min(position, scalars.count)...])
        return output
    }

    @Test func agreesWithThePlainRuleOnRandomSpans() {
        let alphabet = Array("ab机密📢👨‍👩‍👧é\n ")
        for _ in 0..<500 {
            let text = String((0..<Int.random(in: 0...30)).map { _ in alphabet.randomElement() ?? "a" })
            let count = text.unicodeScalars.count
            let findings = (0..<Int.random(in: 0...5)).map { number in
                let offset = Int.random(in: 0...max(count, 1))
                return Finding(check: "c", detector: "d\(number)", offset: offset, length: Int.random(in: 0...max(1, count - offset)))
            }
            #expect(Redactor.mask(text, findings) == Self.reference(text, findings), "\(text) \(findings)")
        }
    }
}

@Suite struct MessageRuleTests {
    func envelope(
        time: String = "2026-11-23T10:00:00+08:00",
        sender: String = "u1",
        attachments: [Envelope.Attachment] = [],
        text: String = "x"
    ) throws -> Envelope {
        var envelope = Fixtures.envelope(platform: "p", conversation: "c", text: text, sender: sender)
        envelope.time = try Date(time, strategy: .iso8601)
        envelope.attachments = attachments
        return envelope
    }

    @Test func attachmentsAreJudgedByExtensionMimeAndSize() throws {
        let rule = AttachmentDetector(types: ["pdf", "image/*"], maxBytes: 1000)
        #expect(rule.allows(.init(reference: "1", name: "Report.PDF", bytes: 10)))
        #expect(rule.allows(.init(reference: "2", name: "photo", mimeType: "image/jpeg", bytes: 999)))
        #expect(!rule.allows(.init(reference: "3", name: "setup.exe", mimeType: "application/octet-stream", bytes: 10)))
        #expect(!rule.allows(.init(reference: "4", name: "big.pdf", bytes: 1001)))
        // An unknown size under a size limit fails closed.
        #expect(!rule.allows(.init(reference: "5", name: "a.pdf")))
        #expect(
            try rule.violated(
                by: envelope(attachments: [.init(reference: "1", name: "a.pdf", bytes: 1), .init(reference: "2", name: "b.zip", bytes: 1)])
            )
        )
        #expect(try !rule.violated(by: envelope()))
        // `types: []`: every attachment fires.
        #expect(
            try AttachmentDetector(types: [], maxBytes: nil).violated(by: envelope(attachments: [.init(reference: "1", name: "a.pdf", bytes: 1)]))
        )
        #expect(try !AttachmentDetector(types: nil, maxBytes: nil).violated(by: envelope(attachments: [.init(reference: "1", name: "a.exe")])))
    }

    @Test(arguments: [
        ("2026-11-23T10:00:00+08:00", false),  // Monday 10:00 in Shanghai
        ("2026-11-23T08:59:00+08:00", true),
        ("2026-11-23T18:00:00+08:00", true),  // the end is exclusive
        ("2026-11-23T02:00:00Z", false),  // Monday 10:00 in Shanghai, written in UTC
        ("2026-11-22T10:00:00+08:00", true),  // Sunday
        ("2026-11-21T03:00:00Z", true),  // Saturday 11:00 in Shanghai
    ])
    func timeWindowsAreJudgedInTheirZone(time: String, outside: Bool) throws {
        let rule = TimeWindowDetector(days: Set(1...5), start: 9 * 60, end: 18 * 60, timeZone: try #require(TimeZone(identifier: "Asia/Shanghai")))
        #expect(try rule.violated(by: envelope(time: time)) == outside)
    }

    @Test func aWindowPastMidnightBelongsToTheDayItOpened() throws {
        // Night shift Monday–Friday 22:00–06:00: Saturday 03:00 is Friday's shift, Monday 03:00 is not a shift.
        let rule = TimeWindowDetector(days: Set(1...5), start: 22 * 60, end: 6 * 60, timeZone: .gmt)
        #expect(try !rule.violated(by: envelope(time: "2026-11-28T03:00:00Z")))
        #expect(try rule.violated(by: envelope(time: "2026-11-23T03:00:00Z")))
        #expect(try !rule.violated(by: envelope(time: "2026-11-23T23:00:00Z")))
        #expect(try rule.violated(by: envelope(time: "2026-11-23T12:00:00Z")))
    }

    @Test func sendersAndSizes() throws {
        let senders = SenderDetector(allow: ["u1", "u2"], deny: ["u2"])
        #expect(try !senders.violated(by: envelope(sender: "u1")))
        #expect(try senders.violated(by: envelope(sender: "u2")))
        #expect(try senders.violated(by: envelope(sender: "u3")))
        #expect(try !SenderDetector(allow: [], deny: ["x"]).violated(by: envelope(sender: "u3")))
        let size = SizeDetector(maxBytes: 7, maxCharacters: 3)
        #expect(try !size.violated(by: envelope(text: "机密")))  // 6 bytes, 2 scalars
        #expect(try size.violated(by: envelope(text: "机密文")))  // 9 bytes
        #expect(try size.violated(by: envelope(text: "abcd")))  // 4 scalars
    }
}

@Suite struct TimeFormatTests {
    let time = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21T14:13:20Z

    @Test(arguments: [
        ("{time}", "2026-09-21T14:13:20Z"),
        ("{time@Asia/Shanghai}", "2026-09-21T22:13:20+08:00"),
        ("{time:yyyy-MM-dd HH:mm@Asia/Shanghai}", "2026-09-21 22:13"),
        ("{time:dd/MM/yy 'at' HH:mm:ss}", "21/09/26 at 14:13:20"),
        ("{time:HH:mm XXX@America/New_York}", "10:13 -04:00"),
    ])
    func rendersInTheZoneAndPattern(source: String, expected: String) throws {
        let template = try Template(parsing: source)
        var envelope = Fixtures.envelope(platform: "p", conversation: "c", text: "x")
        envelope.time = time
        #expect(Renderer().render(template, text: "x", envelope: envelope, context: .init(route: "r", channel: "c", platform: "p")) == expected)
    }

    @Test(arguments: ["{time@Mars/Olympus}", "{time:yyyy-QQ}", "{time:'open}", "{timex}"])
    func rejectsWhatItCannotRender(source: String) {
        #expect(throws: TemplateError.self) { try Template(parsing: source) }
    }
}
