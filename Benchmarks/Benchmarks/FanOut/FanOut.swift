// One announcement to 300 Telegram chats, through the whole gateway (DingTalk Stream in, ledger on
// disk, dispatcher, Telegram adapter) against both emulators, with Telegram's limits enforced by the
// emulator: about 1 message a second per chat, 20 a minute per group, 30 a second per bot.
//
// The floor is what the bot limit allows: 300 copies / 30 per second = 10 s. Measured per run:
// - completion: from the internal post to the last copy at the emulator, in ms and in ‰ of the floor;
// - 429s: answered by the emulator's limits (a compliant client earns none);
// - interactive latency: a reply posted in the service desk once half the copies are out, from the
//   post to its arrival in the customer's chat (an interactive route, one destination);
// - duplicates and missing copies (both must be 0: every copy delivered once).
// The second benchmark runs the same with the emulator refusing 5% of sends with a 429 (retry_after
// 1 s) on top of its limits: every copy still arrives once; completion shows what the 429s cost.
//
// Run from this directory: swift package --disable-sandbox benchmark --target FanOut

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
import ServiceLifecycle
import Synchronization

/// What one fan-out run measured.
struct FanOutRun {
    var completion: Duration
    var limited: Int
    var interactive: Duration
    var missing: Int
    var duplicates: Int
}

let chats = 300
let floor = Duration.seconds(Double(chats) / 30)
let token = "7000000001:bench-token"

func config(telegram: Int, dingtalk: Int, state: String) throws -> GatewayConfig {
    let partners = (1...chats).map { "  p\($0): { platform: outreach, chat: -100\(1_000_000 + $0) }" }
    let yaml = """
        state: \(state)
        platforms:
          corp: { type: dingtalk, side: internal, client_id: dingbench, client_secret: bench-secret, robot_code: dingbench,
                  receive: stream, api_url: "http://127.0.0.1:\(dingtalk)", oapi_url: "http://127.0.0.1:\(dingtalk)" }
          outreach: { type: telegram, side: external, token: "\(token)", api_url: "http://127.0.0.1:\(telegram)", receive: poll,
                      poll_timeout: 1s }
        channels:
          all-hands: { platform: corp, conversation: "cidAllHands000==" }
          desk: { platform: corp, conversation: "cidServiceDesk0==" }
          customer: { platform: outreach, chat: 4242 }
        \(partners.joined(separator: "\n"))
        routes:
          - { name: announcements, from: all-hands, to: [\((1...chats).map { "p\($0)" }.joined(separator: ", "))], template: "📢 {text}" }
          - { name: replies, from: desk, to: [customer], template: "{sender.name}: {text}" }
        """
    return try ConfigLoader(environment: [:]).load(yaml: yaml, file: "fanout.yaml")
}

func fanOut(faults: TelegramFaults?) async throws -> FanOutRun {
    let state = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-fanout-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: state) }
    var telegramSettings = TelegramEmulator.Configuration(token: token, rateLimits: true)
    if let faults { telegramSettings.faults = faults }
    // The announcement goes to chats the benchmark does not declare one by one.
    telegramSettings.openChats = true
    let telegram = TelegramEmulator(configuration: telegramSettings, logger: quiet("tg"))
    let dingtalk = benchDingTalk()
    let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
        let run = try await fanOut(telegram, dingtalk, httpClient, state: state)
        try await httpClient.shutdown()
        return run
    } catch {
        try? await httpClient.shutdown()
        throw error
    }
}

func fanOut(_ telegram: TelegramEmulator, _ dingtalk: DingTalkEmulator, _ httpClient: HTTPClient, state: String) async throws -> FanOutRun {
    try await withServices([telegram, dingtalk]) {
        let config = try config(telegram: try await telegram.port(), dingtalk: try await dingtalk.port(), state: state)
        let logger = quiet("gatehouse")
        let ledger = try SQLLedger(directory: state, contentKey: .ephemeral())
        let gateway = Gateway(
            config: config,
            ledger: ledger,
            adapters: AdapterFactory.adapters(for: config, httpClient: httpClient, cursors: ledger, logger: logger),
            logger: logger
        )
        return try await withServices(gateway.services) {
            await gateway.ready.wait()
            let start = ContinuousClock.now
            _ = try await dingtalk.inject(
                .init(conversationId: "cidAllHands000==", senderStaffId: "m01", senderNick: "王经理", text: "Q3 results are out")
            )
            func copies() async -> [Int64: Int] {
                var count: [Int64: Int] = [:]
                for record in await telegram.sent() where record.method == "sendMessage" && record.chatID < 0 {
                    count[record.chatID, default: 0] += 1
                }
                return count
            }
            try await until("half the copies") { await copies().count >= chats / 2 }
            let asked = ContinuousClock.now
            _ = try await dingtalk.inject(
                .init(conversationId: "cidServiceDesk0==", senderStaffId: "s07", senderNick: "Zhang", text: "Your order ships today")
            )
            try await until("the interactive reply") { await !telegram.sent(chatID: "4242").isEmpty }
            let interactive = ContinuousClock.now - asked
            try await until("every copy") { await copies().count >= chats }
            let completion = ContinuousClock.now - start
            // A moment for a late duplicate to show.
            try await Task.sleep(for: .milliseconds(200))
            let count = await copies()
            return FanOutRun(
                completion: completion,
                limited: await telegram.stats().rateLimited,
                interactive: interactive,
                missing: chats - count.count,
                duplicates: count.values.reduce(0) { $0 + $1 - 1 }
            )
        }
    }
}

func record(_ run: FanOutRun, in benchmark: Benchmark) {
    benchmark.measurement(.custom("completion (ms)"), Int(run.completion / .milliseconds(1)))
    benchmark.measurement(.custom("completion / floor (‰)"), Int((run.completion / floor) * 1000))
    benchmark.measurement(.custom("429s from the limits"), run.limited)
    benchmark.measurement(.custom("interactive latency (ms)"), Int(run.interactive / .milliseconds(1)))
    benchmark.measurement(.custom("copies missing or twice"), run.missing + run.duplicates)
}

/// How many runs with faults there have been, to seed each differently.
let runs = Mutex<UInt64>(0)

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [
            .custom("completion (ms)"), .custom("completion / floor (‰)"), .custom("429s from the limits"),
            .custom("interactive latency (ms)"), .custom("copies missing or twice"),
        ],
        timeUnits: .milliseconds,
        warmupIterations: 0,
        maxDuration: .seconds(120),
        maxIterations: 5
    )

    Benchmark("Fan-out: 1 announcement to \(chats) Telegram chats at the limits", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { record(try await fanOut(faults: nil), in: benchmark) }
    }

    Benchmark("Fan-out: the same with 5% of sends refused by an injected 429", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            // Another choice of refused sends each run (the seeds 1001, 1002, … replay them).
            let seed = runs.withLock { runs in
                runs += 1
                return UInt64(1000 + runs)
            }
            let faults = TelegramFaults(rate: 0.05, retryAfter: 1, seed: seed, kinds: [.tooManyRequests])
            record(try await fanOut(faults: faults), in: benchmark)
        }
    }
}
