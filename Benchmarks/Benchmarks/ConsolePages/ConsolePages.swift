// Every console page with 1,000,000 audit records in the ledger (SQLite, as a single instance
// runs it): the issue's target is under 100 ms a page. Each measurement is one request through the
// console's router, as its listener would serve it (session check, the page's queries, the
// template), without the socket.
//
// The ledger is built once, not measured, into a folder kept between runs (the benchmarks run
// each in a process of their own): GATEHOUSE_BENCH_CONSOLE_LEDGER names it, or a folder in the
// temporary directory. About 345,000 messages over 90 days: two routes, every verdict, replies
// from customers, nearly every copy delivered, one checkpoint at the end; building it takes a few
// minutes (synchronous=OFF while it is built, the default FULL when measured).
//
// Run from this directory: swift package --disable-sandbox benchmark --target ConsolePages

import Benchmark
import Foundation
import GRDB
import GatehouseConfig
import GatehouseConsole
import GatehouseCore
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

let records = 1_000_000
let origin = "bench.example/console"
let yaml = """
    platforms:
      corp: { type: dingtalk, side: internal, client_id: d, client_secret: s }
      tg: { type: telegram, side: external, token: "1:x" }
    channels:
      all-hands: { platform: corp, conversation: cidAllHands }
      desk: { platform: corp, conversation: cidDesk }
      news: { platform: tg, chat: -1001 }
      partners: { platform: tg, chat: -1002 }
      support: { platform: tg, chat: -1003 }
    listen: { console: "127.0.0.1:0" }
    console:
      url: http://127.0.0.1:8443
      sign_in: corp
      roles: { admin: [staff:boss] }
    review: { platform: corp, card_template: tpl }
    checks:
      secret: { keywords: [机密] }
    routes:
      - { name: announcements, from: all-hands, to: [news, partners], on: { secret: hold }, reviewers: [staff:m01] }
      - { name: customers-in, from: support, to: [desk] }
    """

/// The folder the ledger is kept in, and its signing key beside it.
let folder =
    ProcessInfo.processInfo.environment["GATEHOUSE_BENCH_CONSOLE_LEDGER"]
    ?? FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-console-bench-v1").path

/// One message of the synthetic traffic: who, where, what, and the verdict each copy got.
func message(_ index: Int, at time: Date) -> Intake {
    let announcement = index % 2 == 0
    let contract = index % 97 == 0 ? " 合同 HT-2026-\(String(format: "%05d", index % 100_000))" : ""
    let text =
        announcement
        ? "Weekly update \(index): Q3 revenue up \(index % 20)% 第三季度业绩\(contract)"
        : "Customer question \(index): when is my order \(index % 10_000) arriving? 请问订单什么时候到\(contract)"
    let envelope = Envelope(
        origin: .init(
            platform: announcement ? "corp" : "tg",
            conversation: announcement ? "cidAllHands" : "-1003",
            messageID: "m\(index)",
            eventID: "e\(index)"
        ),
        sender: .init(id: "staff\(index % 500)", name: "员工\(index % 500)"),
        body: .init(text: text),
        time: time
    )
    // Mostly forwarded; some redacted, a few blocked, a few held (the holds page lists them).
    let verdict: Verdict =
        switch index % 1000 {
        case 0..<80: .redact
        case 80..<100: .block
        case 100 where index % 7_000 == 100: .hold
        default: .forward
        }
    let destinations = announcement ? ["news", "partners"] : ["desk"]
    let crossings = destinations.map { destination in
        Crossing(
            route: announcement ? "announcements" : "customers-in",
            source: announcement ? "all-hands" : "support",
            destination: destination,
            direction: announcement ? .outbound : .inbound,
            verdict: verdict,
            findings: verdict == .forward ? [] : [Finding(check: verdict == .hold ? "secret" : "pii", detector: "bench", offset: 0, length: 4)],
            text: verdict == .redact ? "[redacted] " + text.prefix(20) : (announcement ? "📢 " + text : text)
        )
    }
    return Intake(envelope: envelope, crossings: crossings, configRevision: "bench", receivedAt: time)
}

/// Builds the ledger into `folder` unless it is there already; returns its signer.
func prepareLedger() async throws -> NoteSigner {
    let keyFile = folder + "/signing.key"
    if FileManager.default.fileExists(atPath: folder + "/complete"), let key = try? String(contentsOfFile: keyFile, encoding: .utf8) {
        return try NoteSigner(parsing: key)
    }
    try? FileManager.default.removeItem(atPath: folder)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let key = try NoteSigner.generate(name: origin)
    try key.privateKey.value.write(toFile: keyFile, atomically: true, encoding: .utf8)
    var configuration = GRDB.Configuration()
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
    let pool = try DatabasePool(path: folder + "/ledger.sqlite", configuration: configuration)
    let ledger = try SQLLedger(writer: pool, contentKey: ContentKey(derivedFrom: key.signer))
    let start = Date().addingTimeInterval(-90 * 86_400)
    var index = 0
    var written = 0
    while written < records {
        let batch = (0..<500).map { offset in
            message(index + offset, at: start.addingTimeInterval(Double(index + offset) * 22.5))
        }
        index += batch.count
        for result in try await ledger.commit(batch) {
            guard case .committed(let crossings, let jobs) = try result.get() else { continue }
            written += crossings.count
            for job in jobs where job.state == .pending {
                _ = try await ledger.recordDelivered(job, nativeIDs: ["\(job.id)"], note: nil, files: [], at: job.createdAt.addingTimeInterval(2))
                written += 1
            }
        }
    }
    _ = try await ledger.checkpoint(origin: origin, signer: key.signer, at: Date())
    try pool.close()
    FileManager.default.createFile(atPath: folder + "/complete", contents: Data("\(written) records\n".utf8))
    return key.signer
}

/// The console over the kept ledger, signed in as a break-glass admin (one audit record per run).
struct Console {
    let application: Application<RouterResponder<ConsoleContext>>
    let cookie: String
    let record: Int64
    let hold: Int64

    static func open() async throws -> (Console, SQLLedger) {
        let signer = try await prepareLedger()
        let ledger = try SQLLedger(directory: folder, contentKey: ContentKey(derivedFrom: signer))
        // A ledger made before the complete subtrees were kept gets them as from the daemon's
        // first checkpoint after a start (it takes in every leaf hash): once, not per run.
        let kept = try await ledger.store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_subtree") ?? 0 }
        if kept == 0 { _ = try await ledger.checkpoint(origin: origin, signer: signer, at: Date()) }
        let config = try ConfigLoader(environment: [:]).load(yaml: yaml, file: "bench.yaml")
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let gateway = Gateway(config: config, ledger: ledger, adapters: [FakeAdapter(platform: "corp"), FakeAdapter(platform: "tg")], logger: logger)
        let links = SignInLinks()
        let surface = try ConsoleSurface(
            console: config.console!,
            listen: HostPort("127.0.0.1:0")!,
            store: gateway.store,
            ledger: ledger,
            reader: LedgerReader(store: ledger.store),
            reviews: gateway.reviews,
            actions: gateway.actions,
            links: links,
            signIn: NoSignIn(),
            logger: logger
        )
        let application = Application(router: surface.router(), logger: logger)
        let token = links.issue(for: ReviewerIdentity(via: .unix, id: "0", name: "bench"))
        let cookie = try await application.test(.router) { client in
            let response = try await client.execute(uri: "/signin/link?token=\(token)", method: .get)
            return String(response.headers[.setCookie]?.split(separator: ";").first ?? "")
        }
        // A record in the middle of the log (its page and its proof), and a held message.
        let record = Int64(records / 2)
        let hold = try await ledger.jobs(in: .held, limit: 1).first?.id ?? 0
        return (Console(application: application, cookie: cookie, record: record, hold: hold), ledger)
    }
}

/// Break-glass links only: the benchmark never signs in with DingTalk.
struct NoSignIn: ConsoleSignIn {
    struct Unavailable: Error {}
    func authorizeURL(redirect: String, state: String) -> String { "about:blank" }
    func identify(code: String) async throws -> ReviewerIdentity { throw Unavailable() }
}

/// One benchmark per page: `uri` fetched once per iteration, its status checked.
func page(_ name: String, _ uri: @escaping @Sendable (Console) -> String) {
    Benchmark(
        "Console page, 1M records: \(name)",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal], timeUnits: .milliseconds, maxDuration: .seconds(10), maxIterations: 50)
    ) { benchmark in
        let (console, _) = try await Console.open()
        let target = uri(console)
        // The router test's body is @Sendable; the benchmark is used from it alone.
        let measured = Unchecked(benchmark)
        try await console.application.test(.router) { client in
            let benchmark = measured.value
            var headers = HTTPFields()
            headers[.cookie] = console.cookie
            // One request before measuring: caches and the SQLite pages it reads are warm.
            let first = try await client.execute(uri: target, method: .get, headers: headers)
            precondition(first.status == .ok, "\(target): \(first.status) \(String(buffer: first.body).prefix(300))")
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let response = try await client.execute(uri: target, method: .get, headers: headers)
                precondition(response.status == .ok)
                blackHole(response.body.readableBytes)
            }
            benchmark.stopMeasurement()
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    page("overview (30 days' chart, queues, checkpoint)") { _ in "/" }
    page("overview, 12 weeks") { _ in "/?span=weeks" }
    page("holds") { _ in "/holds" }
    page("a hold") { "/holds/\($0.hold)" }
    page("outbox") { _ in "/outbox" }
    page("config") { _ in "/config" }
    page("period report, last month") { _ in "/reports" }
    page("audit log, newest 50") { _ in "/audit" }
    page("audit log, one route and verdict") { _ in "/audit?route=customers-in&verdict=redact" }
    page("audit log, one sender") { _ in "/audit?sender=staff123" }
    page("audit log, a contract number in the text") { _ in "/audit?text=HT-2026-00097" }
    page("audit log, a week long ago") { _ in "/audit?from=\(day(-60))&to=\(day(-53))" }
    page("a record") { "/audit/\($0.record)" }
    page("a record's inclusion proof") { "/audit/\($0.record)/proof" }
    page("export, one route and verdict as CSV (up to 10,000)") { _ in "/audit/export?format=csv&route=customers-in&verdict=redact" }
}

/// A day relative to today, as the search form writes it.
func day(_ offset: Int) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd"
    return formatter.string(from: Date().addingTimeInterval(Double(offset) * 86_400))
}

/// A value handed to a @Sendable closure that is its only user.
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
