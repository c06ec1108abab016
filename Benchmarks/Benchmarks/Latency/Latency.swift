// Latency under load: the whole gateway (SQLite ledger, the shipped config's kinds of checks)
// between both emulators, their rate limits lifted so that the figure is the gateway's, at 250,
// 500 and 1,000 messages a second for 10 s — half each way, spread over 20 chats each way:
// Telegram customers to DingTalk groups (over getUpdates), DingTalk robot messages to Telegram
// channels (over Stream) — posted on a fixed schedule whatever the gateway does (open loop).
//
// Measured per message, by wrapping both adapters: from intake (the adapter hands the event to
// the gateway) to the send call for it (the gateway asks the other adapter to send it): the
// decision, the write-ahead commit, the acknowledgement, the dispatch, and the wait behind the
// sends before it to the same chat (each chat's messages go in order, one at a time). p50, p99
// and max over the run; the messages sent (all must be); the rate the schedule kept; and the CPU
// the process used — gateway, both emulators (which parse and answer every request) and the
// poster together, so an upper bound on the gateway's — as a share of one core.
// `Benchmarks/footprint.py --rate N` measures the daemon's own CPU and memory, in a process of
// its own, under the same kind of load.
//
// Run from this directory: swift package --disable-sandbox benchmark --target Latency

import AsyncHTTPClient
import Benchmark
import Foundation
import GatehouseCommands
import GatehouseConfig
import GatehouseCore
import GatehouseEmulators
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import GatewayBench
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

let token = "7000000003:bench-token"
let seconds = 10

/// When each message (by its key) was taken in and when its send was called.
final class Stamps: Sendable {
    private let taken = Mutex<[Int: ContinuousClock.Instant]>([:])
    private let sent = Mutex<[Int: ContinuousClock.Instant]>([:])

    /// The message's number in `text` ("lat-123 …"), if it is one of the benchmark's.
    static func key(_ text: String) -> Int? {
        guard let start = text.range(of: "lat-") else { return nil }
        return Int(text[start.upperBound...].prefix { $0.isASCII && $0.isNumber })
    }

    func intake(_ text: String, at time: ContinuousClock.Instant) {
        if let key = Self.key(text) { taken.withLock { $0[key] = $0[key] ?? time } }
    }

    func send(_ text: String, at time: ContinuousClock.Instant) {
        if let key = Self.key(text) { sent.withLock { $0[key] = $0[key] ?? time } }
    }

    /// Intake to send call, for every message sent.
    var latencies: [Duration] {
        let taken = taken.withLock { $0 }
        return sent.withLock { sent in sent.compactMap { key, time in taken[key].map { time - $0 } } }
    }

    var sentCount: Int { sent.withLock { $0.count } }
}

/// An adapter that notes when it hands an event over and when it is asked to send, and otherwise
/// is the adapter it wraps.
struct Timed: Adapter {
    let inner: any Adapter
    let stamps: Stamps

    var platform: String { inner.platform }
    var standsDown: Bool { inner.standsDown }
    var acceptsFiles: Bool { inner.acceptsFiles }
    var started: StartSignal? { inner.started }
    var describesSenders: Bool { inner.describesSenders }

    func receive(_ handler: @escaping InboundHandler) async throws {
        try await inner.receive { [stamps] events in
            let now = ContinuousClock.now
            for event in events { stamps.intake(event.envelope.body.text, at: now) }
            try await handler(events)
        }
    }

    func standDown() async { await inner.standDown() }

    func send(_ message: OutboundMessage, progress: PartProgress) async throws -> [String] {
        stamps.send(message.text, at: .now)
        return try await inner.send(message, progress: progress)
    }

    func edit(_ nativeIDs: [String], with message: OutboundMessage, progress: PartProgress) async throws -> [String] {
        try await inner.edit(nativeIDs, with: message, progress: progress)
    }

    func delete(_ nativeIDs: [String], in channel: Channel, priority: DeliveryPriority) async throws {
        try await inner.delete(nativeIDs, in: channel, priority: priority)
    }

    func withdraw(_ nativeIDs: [String], in channel: Channel, notice: String, priority: DeliveryPriority) async throws -> [String] {
        try await inner.withdraw(nativeIDs, in: channel, notice: notice, priority: priority)
    }

    func describe(_ sender: Envelope.Sender) async -> Envelope.Sender { await inner.describe(sender) }

    func address(ofPrivateChat chat: String) -> Channel.Address { inner.address(ofPrivateChat: chat) }

    func download(_ attachment: Envelope.Attachment, limit: Int) async throws -> AttachedFile {
        try await inner.download(attachment, limit: limit)
    }
}

/// How many chats each way: the load is spread over them as people spread it, each destination
/// taking its messages in order (one send at a time), 1,000 / 2 / 20 = 25 a second each.
let lanes = 20

func latencyConfig(telegram: Int, dingtalk: Int, state: String) throws -> GatewayConfig {
    let channels = (0..<lanes).map { lane in
        """
          group\(lane): { platform: corp, conversation: "\(group(lane))" }
          desk\(lane): { platform: corp, conversation: "\(desk(lane))" }
          channel\(lane): { platform: outreach, chat: \(channel(lane)) }
          support\(lane): { platform: outreach, chat: \(support(lane)) }
        """
    }
    let routes = (0..<lanes).map { lane in
        """
          - { name: announcements-\(lane), from: group\(lane), to: [channel\(lane)], template: "📢 {text}",
              on: { pii: redact, credentials: block, secret-words: hold, links: redact } }
          - { name: customers-in-\(lane), from: support\(lane), to: [desk\(lane)], template: "{sender.name}: {text}",
              on: { pii: redact, credentials: block, tickets: redact, links: redact } }
        """
    }
    let yaml = """
        state: \(state)
        platforms:
          corp: { type: dingtalk, side: internal, client_id: dingbench, client_secret: bench-secret, robot_code: dingbench,
                  receive: stream, api_url: "http://127.0.0.1:\(dingtalk)", oapi_url: "http://127.0.0.1:\(dingtalk)" }
          outreach: { type: telegram, side: external, token: "\(token)", api_url: "http://127.0.0.1:\(telegram)", receive: poll,
                      poll_timeout: 1s, rate_limits: { chat: 100000/s, group: 10000000/min, bot: 100000/s } }
        channels:
        \(channels.joined(separator: "\n"))
        checks:
          pii: { detect: [cn_resident_id, cn_mobile, bank_card, uscc, iban, email] }
          credentials: { detect: [private_key, api_token] }
          secret-words: { keywords: [机密, 内部资料, CONFIDENTIAL] }
          tickets: { regex: ['(?<![A-Za-z0-9])INC-\\d{6}(?![0-9])'] }
          links: { links: { allow: [acme.example, "*.acme.example"] } }
        routes:
        \(routes.joined(separator: "\n"))
        """
    return try ConfigLoader(environment: [:]).load(yaml: yaml, file: "latency.yaml")
}

func group(_ lane: Int) -> String { "cidGroup\(lane)==" }
func desk(_ lane: Int) -> String { "cidDesk\(lane)==" }
func channel(_ lane: Int) -> Int64 { -1_009_000_000_100 - Int64(lane) }
func support(_ lane: Int) -> Int64 { -1_009_876_543_210 - Int64(lane) }

/// What people write: mixed Chinese and English, some with a number or a link to mask.
let texts = [
    "您好，我的订单还没有发货，请帮忙查一下。Order placed last Tuesday, paid by card.",
    "Quarterly results call moved to Thursday 15:00; dial-in details on the intranet as usual.",
    "请联系我 13812345678，下午都在。Thanks!",
    "The new pricing page is at https://www.acme.example/pricing — feedback welcome before Friday.",
    "发票抬头需要改一下，税号 91350100M000100Y43，谢谢。",
    "Ticket INC-123456 is still open after two days, can someone take a look?",
    "周五下午三点全员大会，地点在三楼会议室，请准时参加。",
    "Please refund to my card, the charge appeared twice on my statement this morning.",
]

struct LatencyRun {
    var latencies: [Duration]
    var posted: Int
    var sent: Int
    var postingRate: Double
    var cpuShare: Double
}

func cpuTime() -> Duration {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return .seconds(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + .microseconds(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
}

func latencyRun(rate: Int) async throws -> LatencyRun {
    let state = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-latency-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: state) }
    let telegram = benchTelegram(token: token, logLevel: .critical)
    let dingtalk = benchDingTalk(logLevel: .critical)
    // The gateway's platform client on a thread of its own, as `gatehouse run` has it.
    let httpClient = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup(numberOfThreads: 1)))
    do {
        let run = try await latencyRun(telegram, dingtalk, httpClient, rate: rate, state: state)
        try await httpClient.shutdown()
        return run
    } catch {
        try? await httpClient.shutdown()
        throw error
    }
}

func latencyRun(
    _ telegram: TelegramEmulator,
    _ dingtalk: DingTalkEmulator,
    _ httpClient: HTTPClient,
    rate: Int,
    state: String
) async throws -> LatencyRun {
    try await withServices([telegram, dingtalk]) { () async throws -> LatencyRun in
        let config = try latencyConfig(telegram: try await telegram.port(), dingtalk: try await dingtalk.port(), state: state)
        let logger = quiet("gatehouse", level: .critical)
        let ledger = try SQLLedger(directory: state, contentKey: .ephemeral())
        let stamps = Stamps()
        let adapters = AdapterFactory.adapters(for: config, httpClient: httpClient, cursors: ledger, logger: logger)
            .map { Timed(inner: $0, stamps: stamps) as any Adapter }
        let gateway = Gateway(config: config, ledger: ledger, adapters: adapters, logger: logger)
        return try await withServices(gateway.services) { () async throws -> LatencyRun in
            await gateway.ready.wait()
            let total = rate * seconds
            let start = ContinuousClock.now
            let cpuBefore = cpuTime()
            // Two messages at a time, one each way, on a fixed schedule: a poster running late
            // catches up rather than slowing the rate down.
            for pair in 0..<(total / 2) {
                let due = start + .microseconds(2_000_000 / rate * pair)
                if due > .now { try await Task.sleep(until: due) }
                let inbound = 2 * pair
                let outbound = 2 * pair + 1
                let lane = pair % lanes
                _ = try await telegram.inject(
                    .init(
                        kind: .message,
                        chat: .init(id: support(lane), type: .supergroup, title: "Support \(lane)"),
                        from: .init(id: Int64(10_000 + pair % 500), firstName: "Customer \(pair % 500)"),
                        text: "lat-\(inbound) \(texts[inbound % texts.count])"
                    )
                )
                _ = try await dingtalk.inject(
                    .init(conversationId: group(lane), senderStaffId: "staff\(pair % 50)", text: "lat-\(outbound) \(texts[outbound % texts.count])")
                )
            }
            let posting = ContinuousClock.now - start
            try await until("every message sent", limit: .seconds(60), every: .milliseconds(10)) { stamps.sentCount >= total }
            // The CPU up to the last send, over the time the load lasted.
            let cpu = cpuTime() - cpuBefore
            let elapsed = ContinuousClock.now - start
            return LatencyRun(
                latencies: stamps.latencies,
                posted: total,
                sent: stamps.sentCount,
                postingRate: Double(total) / posting.seconds,
                cpuShare: cpu.seconds / elapsed.seconds
            )
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

func percentile(_ sorted: [Duration], _ fraction: Double) -> Duration {
    guard !sorted.isEmpty else { return .zero }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [
            .custom("intake to send p50 (µs)"), .custom("intake to send p99 (µs)"), .custom("intake to send max (µs)"),
            .custom("messages posted"), .custom("messages sent"), .custom("posting rate (msg/s)"),
            .custom("process CPU (% of a core)"),
        ],
        timeUnits: .milliseconds,
        warmupIterations: 0,
        maxDuration: .seconds(300),
        maxIterations: 1
    )
    for rate in [250, 500, 1_000] {
        Benchmark("Latency: \(rate) messages/s both ways through the whole gateway", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                let run = try await latencyRun(rate: rate)
                let sorted = run.latencies.sorted()
                benchmark.measurement(.custom("intake to send p50 (µs)"), Int(percentile(sorted, 0.5) / .microseconds(1)))
                benchmark.measurement(.custom("intake to send p99 (µs)"), Int(percentile(sorted, 0.99) / .microseconds(1)))
                benchmark.measurement(.custom("intake to send max (µs)"), Int((sorted.last ?? .zero) / .microseconds(1)))
                benchmark.measurement(.custom("messages posted"), run.posted)
                benchmark.measurement(.custom("messages sent"), run.sent)
                benchmark.measurement(.custom("posting rate (msg/s)"), Int(run.postingRate))
                benchmark.measurement(.custom("process CPU (% of a core)"), Int(run.cpuShare * 100))
            }
        }
    }
}
