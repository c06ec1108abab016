// One message through a policy of 1,000 keywords, 10 regexes and every built-in detector, over a
// generated corpus of mixed Chinese / English messages (100 B – 4 KB, about 5 % carrying PII).
// Each iteration decides the whole corpus; divide its size by the time for MB/s, and its message
// count for messages/s (one core: the benchmark is single-threaded, but for the one that runs a
// Gate on each of two cores).
//
// With GATEHOUSE_BENCH_CORPUS_DIR set, the corpus, the keywords and the patterns are first written
// there (messages.jsonl, keywords.txt, patterns.txt), so that another engine scans the same bytes:
// Benchmarks/hyperscan-side-by-side.py runs this and Hyperscan side by side.

import Benchmark
import Foundation
import GatehouseCore

let corpus = Corpus(messages: 1_000, seed: 2026)
let keywords = Corpus.keywords(count: 1_000, seed: 7)
let patterns = [
    #"INC-\d{6}"#, #"(?i)project\s+phoenix"#, #"\b[A-Z]{2,4}-\d{3,6}\b"#, #"合同编号\s*\d+"#, #"\$\d+(?:,\d{3})*"#,
    #"(?i)password\s*[:=]"#, #"\b\d{4}-\d{2}-\d{2}\b"#, #"PO\d{8}"#, #"(?i)wire\s+transfer"#, #"订单号[:：]?\s*\d{10,}"#,
]

// The detectors as the config would build them.
let keywordMatcher = try! KeywordMatcher(keywords: keywords)
let regexes: [any Detector] = [try! RegexSet(patterns: patterns)]
let builtins = BuiltinDetectors.names.compactMap(BuiltinDetectors.named)
let links = try! LinkDetector(allow: ["acme.example", "*.acme.example"], deny: [])

let gate: Gate = {
    let channels = [
        "all-hands": Channel(name: "all-hands", platform: "corp", address: .conversation("cidA")),
        "news": Channel(name: "news", platform: "outreach", address: .chat("-1001", topic: nil)),
    ]
    let checks = [
        "words": Check(name: "words", detectors: [keywordMatcher]),
        "patterns": Check(name: "patterns", detectors: regexes),
        "pii": Check(name: "pii", detectors: builtins),
        "links": Check(name: "links", detectors: [links]),
    ]
    let route = Route(
        name: "announcements",
        from: ["all-hands"],
        to: ["news"],
        on: [
            (check: "words", verdict: .hold), (check: "patterns", verdict: .hold), (check: "pii", verdict: .redact),
            (check: "links", verdict: .block),
        ],
        template: try! Template(parsing: "📢 {text}\n— {sender.name}")
    )
    return Gate(
        router: Router(channels: channels, routes: [route]),
        sides: ["corp": .internal, "outreach": .external],
        policy: Policy(checks: checks)
    )
}()

let envelopes = corpus.texts.enumerated().map { index, text in
    Envelope(
        origin: .init(platform: "corp", conversation: "cidA", messageID: "m\(index)", eventID: "m\(index)"),
        sender: .init(id: "u1", name: "王经理"),
        body: .init(text: text),
        time: Date(timeIntervalSince1970: 1_790_000_000)
    )
}

/// Writes the corpus where GATEHOUSE_BENCH_CORPUS_DIR says, once per process.
let writtenCorpus: Void = {
    guard let directory = ProcessInfo.processInfo.environment["GATEHOUSE_BENCH_CORPUS_DIR"], !directory.isEmpty else { return }
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let lines = corpus.texts.map { text in
        String(decoding: (try? JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed])) ?? Data(), as: UTF8.self)
    }
    for (name, content) in [
        ("messages.jsonl", lines.joined(separator: "\n")), ("keywords.txt", keywords.joined(separator: "\n")),
        ("patterns.txt", patterns.joined(separator: "\n")),
    ] {
        FileManager.default.createFile(atPath: directory + "/" + name, contents: Data((content + "\n").utf8))
    }
}()

/// Scans every corpus text with `detectors`, as the policy would.
func scanCorpus(_ detectors: [any Detector]) -> Int {
    var found = 0
    var matches: [Range<Int>] = []
    for var text in corpus.texts {
        text.withUTF8 { bytes in
            for detector in detectors {
                matches.removeAll(keepingCapacity: true)
                detector.scan(bytes, into: &matches)
                found += matches.count
            }
        }
    }
    return found
}

let benchmarks: @Sendable () -> Void = {
    writtenCorpus
    let megabytes = String(format: "%.2f MB", Double(corpus.bytes) / 1e6)
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .milliseconds,
        warmupIterations: 2,
        maxDuration: .seconds(10),
        maxIterations: 50
    )

    Benchmark("Gate: 1,000 keywords + 10 regexes + 9 detectors + links, \(corpus.texts.count) messages, \(megabytes)", configuration: configuration) {
        benchmark in
        for _ in benchmark.scaledIterations {
            for envelope in envelopes {
                blackHole(gate.crossings(for: envelope))
            }
        }
    }

    // One Gate per core: each decides the whole corpus, the two at once (an iteration is both
    // done: 2 × the corpus). On two threads of dispatch's pool: child tasks of the benchmark's
    // task ran one after the other (package-benchmark's executor), using one core.
    Benchmark("Gate on 2 cores, one Gate each, 2 × \(megabytes)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                for envelope in envelopes { blackHole(gate.crossings(for: envelope)) }
            }
        }
    }

    Benchmark("Gate without regexes, \(megabytes)", configuration: configuration) { benchmark in
        let checks = [
            "words": Check(name: "words", detectors: [keywordMatcher]), "pii": Check(name: "pii", detectors: builtins),
            "links": Check(name: "links", detectors: [links]),
        ]
        let route = Route(
            name: "r",
            from: ["all-hands"],
            to: ["news"],
            on: [(check: "words", verdict: .hold), (check: "pii", verdict: .redact), (check: "links", verdict: .block)]
        )
        let lean = Gate(router: Router(channels: gate.router.channels, routes: [route]), sides: gate.sides, policy: Policy(checks: checks))
        for _ in benchmark.scaledIterations {
            for envelope in envelopes {
                blackHole(lean.crossings(for: envelope))
            }
        }
    }

    Benchmark("Keywords: 1,000 in one pass, \(megabytes)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(scanCorpus([keywordMatcher])) }
    }

    Benchmark("Built-in detectors: all 9, \(megabytes)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(scanCorpus(builtins)) }
    }

    Benchmark("Links, \(megabytes)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(scanCorpus([links])) }
    }

    Benchmark("Regexes: 10 (ICU), \(megabytes)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(scanCorpus(regexes)) }
    }
}
