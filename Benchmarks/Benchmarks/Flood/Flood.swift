// A flood of forged pushes while genuine messages flow, through the whole gateway against both
// emulators: 100,000 forged DingTalk callbacks (a wrong sign) to /hooks/corp, as fast as one client
// with 32 connections sends them, while Telegram customers write to the service desk.
//
// Measured per run:
// - genuine latency: a customer's message from its post at the Telegram emulator to its arrival at
//   the DingTalk desk, p50 over 20 messages with no flood and over 20 during it, and their ratio
//   (‰; the goal is at most 2000 ‰);
// - genuine messages lost (must be 0);
// - the watchdog's ledger round trip (Ledger.ping), the slowest during the flood;
// - audit records the flood added (one `pushes_refused` summary per interval, not one per push),
//   and the forged requests per second the listener answered.
//
// Run from this directory: swift package --disable-sandbox benchmark --target Flood

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
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

struct FloodRun {
    var quiet: Duration
    var flooded: Duration
    var lost: Int
    var slowestPing: Duration
    var records: Int
    var forged: Int
    var forgedPerSecond: Int
}

/// A count shared by the flood's tasks.
final class Counter: Sendable {
    private let value = Mutex(0)
    /// The count before this call adds one.
    func take() -> Int {
        value.withLock { count in
            defer { count += 1 }
            return count
        }
    }
    var count: Int { value.withLock { $0 } }
}

let token = "7000000002:bench-token"
let forgedTotal = 100_000
let genuinePerPhase = 20

/// `lifted`: the per-source limits raised out of the way, so that every forged push reaches the
/// signature check (a flood from many addresses); otherwise the defaults, which answer one
/// client's flood mostly with 429 before anything else is looked at.
func floodConfig(telegram: Int, dingtalk: Int, listen: Int, state: String, lifted: Bool) throws -> GatewayConfig {
    let limits = lifted ? ", limits: { rate: 1000000/s, concurrent: 1000 }" : ""
    let yaml = """
        state: \(state)
        listen: { http: "127.0.0.1:\(listen)"\(limits) }
        platforms:
          corp: { type: dingtalk, side: internal, client_id: dingbench, client_secret: bench-secret, robot_code: dingbench,
                  receive: http, api_url: "http://127.0.0.1:\(dingtalk)", oapi_url: "http://127.0.0.1:\(dingtalk)" }
          outreach: { type: telegram, side: external, token: "\(token)", api_url: "http://127.0.0.1:\(telegram)", receive: poll,
                      poll_timeout: 1s }
        channels:
          desk: { platform: corp, conversation: "cidServiceDesk0==" }
          support: { platform: outreach, chat: -1009876543210 }
        routes:
          - { name: customers-in, from: support, to: [desk], template: "{sender.name}: {text}" }
        """
    return try ConfigLoader(environment: [:]).load(yaml: yaml, file: "flood.yaml")
}

/// Posts customers' messages one at a time and measures each one's trip to the desk.
func genuine(_ count: Int, from first: Int, telegram: TelegramEmulator, dingtalk: DingTalkEmulator) async throws -> [Duration] {
    var latencies: [Duration] = []
    let chat = TelegramEmulator.Chat(id: -1_009_876_543_210, type: .supergroup, title: "Support")
    for index in first..<(first + count) {
        let before = await dingtalk.sent(conversation: "cidServiceDesk0==").count
        let posted = ContinuousClock.now
        _ = try await telegram.inject(
            .init(kind: .message, chat: chat, from: .init(id: Int64(5000 + index), firstName: "Customer \(index)"), text: "order \(index)")
        )
        try await until("message \(index) at the desk", every: .microseconds(100)) {
            await dingtalk.sent(conversation: "cidServiceDesk0==").count > before
        }
        latencies.append(ContinuousClock.now - posted)
    }
    return latencies
}

func median(_ values: [Duration]) -> Duration {
    let sorted = values.sorted()
    return sorted.isEmpty ? .zero : sorted[sorted.count / 2]
}

func flood(lifted: Bool) async throws -> FloodRun {
    let state = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-flood-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: state) }
    let telegram = benchTelegram(token: token, logLevel: .critical)
    let dingtalk = benchDingTalk(logLevel: .critical)
    // The gateway's platform client on a thread of its own, as `gatehouse run` has it; the flooder,
    // another machine in life, on its own too.
    let httpClient = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup(numberOfThreads: 1)))
    var flooderSettings = HTTPClient.Configuration()
    flooderSettings.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
    let flooder = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup(numberOfThreads: 1)), configuration: flooderSettings)
    do {
        let run = try await flood(telegram, dingtalk, httpClient, flooder, state: state, lifted: lifted)
        try await httpClient.shutdown()
        try await flooder.shutdown()
        return run
    } catch {
        try? await httpClient.shutdown()
        try? await flooder.shutdown()
        throw error
    }
}

func flood(
    _ telegram: TelegramEmulator,
    _ dingtalk: DingTalkEmulator,
    _ httpClient: HTTPClient,
    _ flooder: HTTPClient,
    state: String,
    lifted: Bool
) async throws -> FloodRun {
    try await withServices([telegram, dingtalk]) { () async throws -> FloodRun in
        let port = freeLocalPort()
        let config = try floodConfig(
            telegram: try await telegram.port(),
            dingtalk: try await dingtalk.port(),
            listen: port,
            state: state,
            lifted: lifted
        )
        let logger = quiet("gatehouse", level: .critical)
        let ledger = try SQLLedger(directory: state, contentKey: .ephemeral())
        let gateway = Gateway(
            config: config,
            ledger: ledger,
            adapters: AdapterFactory.adapters(for: config, httpClient: httpClient, cursors: ledger, logger: logger),
            logger: logger
        )
        let recordsBefore = Mutex(0)
        var run = try await withServices(gateway.services) { () async throws -> FloodRun in
            await gateway.ready.wait()
            let quietLatencies = try await genuine(genuinePerPhase, from: 0, telegram: telegram, dingtalk: dingtalk)
            let before = try await ledger.auditSizes().records
            recordsBefore.withLock { $0 = before }
            let answered = Counter()
            let floodStart = ContinuousClock.now
            // The forged requests: a current timestamp with a wrong sign, 32 at a time.
            let forging = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let next = Counter()
                    for _ in 0..<32 {
                        group.addTask {
                            while next.take() < forgedTotal {
                                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/hooks/corp")
                                request.method = .POST
                                request.headers.add(name: "timestamp", value: String(Int64(Date().timeIntervalSince1970 * 1000)))
                                request.headers.add(name: "sign", value: "Zm9yZ2VkLXNpZ25hdHVyZQ==")
                                request.body = .bytes(
                                    ByteBuffer(
                                        string:
                                            #"{"msgtype":"text","text":{"content":"wire the money"},"msgId":"x","conversationId":"cidServiceDesk0=="}"#
                                    )
                                )
                                if let response = try? await flooder.execute(request, timeout: .seconds(10)) {
                                    _ = try? await response.body.collect(upTo: 1024)
                                    _ = answered.take()
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            // The watchdog's proof of life, every 50 ms while the flood lasts.
            let pinging = Task {
                var slowest = Duration.zero
                while !Task.isCancelled {
                    let start = ContinuousClock.now
                    try? await ledger.ping()
                    slowest = max(slowest, ContinuousClock.now - start)
                    try? await Task.sleep(for: .milliseconds(50))
                }
                return slowest
            }
            try await until("a quarter of the flood", limit: .seconds(120)) { answered.count >= forgedTotal / 4 }
            let floodedLatencies = try await genuine(genuinePerPhase, from: genuinePerPhase, telegram: telegram, dingtalk: dingtalk)
            try await forging.value
            let floodTime = ContinuousClock.now - floodStart
            pinging.cancel()
            let slowestPing = await pinging.value
            let delivered = await dingtalk.sent(conversation: "cidServiceDesk0==").count
            let forged = answered.count
            return FloodRun(
                quiet: median(quietLatencies),
                flooded: median(floodedLatencies),
                lost: 2 * genuinePerPhase - delivered,
                slowestPing: slowestPing,
                records: 0,
                forged: forged,
                forgedPerSecond: Int(Double(forged) / floodTime.timeInterval)
            )
        }
        // The summary of the last interval is written as the gateway stops: counted too. Every
        // record but the flooded phase's messages' (each: its crossing and its delivery) is the flood's.
        run.records = try await ledger.auditSizes().records - recordsBefore.withLock { $0 } - 2 * genuinePerPhase
        return run
    }
}

extension Duration {
    var timeInterval: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [
            .custom("genuine p50, quiet (µs)"), .custom("genuine p50, flooded (µs)"), .custom("flooded / quiet (‰)"),
            .custom("genuine lost"), .custom("slowest ledger ping (µs)"), .custom("audit records from the flood"),
            .custom("forged requests answered"), .custom("forged requests / s"),
        ],
        timeUnits: .milliseconds,
        warmupIterations: 0,
        maxDuration: .seconds(300),
        maxIterations: 3
    )
    for lifted in [false, true] {
        let name =
            lifted
            ? "Flood: 100,000 forged callbacks, per-source limits lifted (all reach the signature check)"
            : "Flood: 100,000 forged callbacks from one client (default limits)"
        Benchmark(name, configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                let run = try await flood(lifted: lifted)
                benchmark.measurement(.custom("genuine p50, quiet (µs)"), Int(run.quiet / .microseconds(1)))
                benchmark.measurement(.custom("genuine p50, flooded (µs)"), Int(run.flooded / .microseconds(1)))
                benchmark.measurement(.custom("flooded / quiet (‰)"), Int(run.flooded / max(run.quiet, .microseconds(1)) * 1000))
                benchmark.measurement(.custom("genuine lost"), run.lost)
                benchmark.measurement(.custom("slowest ledger ping (µs)"), Int(run.slowestPing / .microseconds(1)))
                benchmark.measurement(.custom("audit records from the flood"), run.records)
                benchmark.measurement(.custom("forged requests answered"), run.forged)
                benchmark.measurement(.custom("forged requests / s"), run.forgedPerSecond)
            }
        }
    }
}
