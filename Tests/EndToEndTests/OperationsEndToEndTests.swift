import AsyncHTTPClient
import Foundation
import GatehouseConfig
import GatehouseTesting
import NIOCore
import Testing

@testable import GatehouseCommands

extension EndToEndTests {
    /// GET on the gateway's listener: the status and the body.
    func fetch(_ path: String, port: Int, _ httpClient: HTTPClient) async throws -> (status: UInt, body: String) {
        let response = try await httpClient.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, String(buffer: body))
    }

    @Test func aStopWhileIntakeBacksOffIsACleanStop() async throws {
        let port = freeLocalPort()
        let demo = try String(contentsOfFile: Self.demoConfig, encoding: .utf8)
        let loaded = try ConfigLoader().load(yaml: demo, file: Self.demoConfig)
        // The same config with a token Telegram no longer knows (revoked): every getUpdates is a
        // 401, and intake waits between attempts.
        let revoked =
            demo.replacingOccurrences(of: "123456789:demo-token-not-a-real-telegram-token", with: "123456789:revoked-token")
            + "\nlisten: { http: \"127.0.0.1:\(port)\" }\n"
        try await withEmulators(loaded) { telegram, dingtalk, config, httpClient in
            let scenario = try DemoScenario(config: loaded)
            let pointed = scenario.pointing(
                try ConfigLoader().load(yaml: revoked, file: Self.demoConfig),
                telegram: "http://127.0.0.1:\(try await telegram.port())",
                dingtalk: "http://127.0.0.1:\(try await dingtalk.port())",
                state: config.state
            )
            // The stop (as SIGTERM) comes while the Telegram adapter sleeps before its next attempt:
            // the daemon stops cleanly rather than failing with the sleep's CancellationError.
            try await runGateway(pointed, httpClient) { _ in
                #expect(await eventually { (try? await fetch("/readyz", port: port, httpClient))?.status == 200 })
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    @Test func afterARunTheListenerSaysReadyAndItsMetricsCountWhatHappened() async throws {
        let port = freeLocalPort()
        let yaml = try String(contentsOfFile: Self.demoConfig, encoding: .utf8) + "\nlisten: { http: \"127.0.0.1:\(port)\" }\n"
        try await withEmulators(try ConfigLoader().load(yaml: yaml, file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            try await runGateway(config, httpClient) { ledger in
                #expect(await eventually { (try? await fetch("/readyz", port: port, httpClient))?.status == 200 })
                _ = try await dingtalk.inject(.init(conversationId: "cidAllHands000==", senderStaffId: "m01", senderNick: "王经理", text: "Q3 is out"))
                #expect(await eventually { await telegram.sent(chatID: "-1001234567890").count == 1 })
                #expect(
                    await eventually {
                        try await ledger.records(from: 1, limit: 100).contains { $0.outcome == .delivered }
                    }
                )
                let metrics = try await fetch("/metrics", port: port, httpClient)
                #expect(metrics.status == 200)
                let lines = metrics.body.split(separator: "\n").map(String.init)
                #expect(lines.contains(#"gatehouse_crossings_total{route="announcements",verdict="forward"} 1"#))
                #expect(
                    lines.contains {
                        $0.hasPrefix("gatehouse_deliveries_total{") && $0.contains(#"outcome="delivered""#)
                            && $0.contains(#"platform="outreach""#) && $0.hasSuffix(" 1")
                    }
                )
                #expect(
                    lines.contains(#"gatehouse_outbox_jobs{state="delivered"} 1"#) || lines.contains(#"gatehouse_outbox_jobs{state="delivered"} 1.0"#)
                )
                #expect(lines.contains { $0.hasPrefix("gatehouse_holds_waiting ") })
                #expect(lines.contains { $0.hasPrefix("gatehouse_audit_records ") })
                // No label carries message content or a secret.
                #expect(!metrics.body.contains("Q3 is out") && !metrics.body.contains("demo-secret-not-real"))
                #expect(try await fetch("/healthz", port: port, httpClient).status == 200)
            }
        }
    }
}
