import AsyncHTTPClient
import Foundation
import GatehouseCore
import GatehouseEmulators
import GatehouseTesting
import Testing

@testable import DingTalkAdapter

/// Custom group robots: signed exactly once, paced to 20 a minute, idempotent by msgUuid, and every
/// documented errcode classified.
@Suite(.timeLimit(.minutes(2))) struct CustomRobotTests {
    @Test func theSignatureIsURLEncodedExactlyOnce() {
        // Expected values computed independently (Python: hmac, base64, urllib.parse.quote(safe="")).
        let url = CustomRobotClient.url(
            base: "https://oapi.dingtalk.com",
            accessToken: Secret("tok"),
            secret: Secret("SEC0123abc"),
            now: Date(timeIntervalSince1970: 1_700_000_000.003)
        )
        #expect(
            url
                == "https://oapi.dingtalk.com/robot/send?access_token=tok&timestamp=1700000000003&sign=HF2cEFx6cTAjLWY91%2BgbcSagB%2Flg7Acr9fhVrMayzKA%3D"
        )
        #expect(CustomRobotClient.url(base: "https://o", accessToken: Secret("tok"), secret: nil) == "https://o/robot/send?access_token=tok")
    }

    @Test(
        arguments: [
            (410100, .rateLimited, false), (130101, .rateLimited, false), (-1, .unavailable, false),
            (310000, .unauthorized, true), (400101, .unauthorized, true), (400102, .unauthorized, true), (400106, .unauthorized, true),
            (400013, .notFound, true), (400105, .rejected, true), (430101, .rejected, true), (430104, .rejected, true),
            (40035, .rejected, true), (999_999, .rejected, true),
        ] as [(Int, DeliveryError.Code, Bool)]
    )
    func everyDocumentedErrcodeIsClassified(errcode: Int, kind: DeliveryError.Code, permanent: Bool) {
        let error = CustomRobotClient.classify(errcode: errcode, errmsg: "m")
        #expect(error.code == kind)
        #expect(error.isPermanent == permanent)
        if errcode == 410100 { #expect(error.disposition == .transient(retryAfter: .seconds(600))) }
    }

    @Test func aRobotGetsTwentyAMinuteAndWaitsOutAPenalty() {
        let pacer = RobotPacer()
        let start = ContinuousClock.now
        let waits = (0..<21).map { _ in pacer.reserve(robot: "r", at: start).wait }
        #expect(waits.prefix(20).allSatisfy { $0 == .zero })
        #expect(waits[20] == .seconds(60) + RobotPacer.margin)
        #expect(pacer.reserve(robot: "other", at: start).wait == .zero)
        pacer.pause(robot: "other", for: .seconds(600), at: start)
        #expect(pacer.reserve(robot: "other", at: start).wait == .seconds(600))
    }

    @Test func theTwentyFirstWaitsAFullMinuteAfterThePlatformCanHaveCountedTheFirst() {
        // The platform counts a message when it arrives: up to when its answer came. Counted from
        // the reservation, the 21st arrived inside the platform's minute and earned ten minutes.
        let pacer = RobotPacer()
        let start = ContinuousClock.now
        for index in 0..<20 {
            let reservation = pacer.reserve(robot: "r", at: start + .milliseconds(index))
            #expect(reservation.wait == .zero)
            // Each answered 400 ms after it was sent.
            pacer.answered(reservation, at: start + .milliseconds(index + 400))
        }
        let twentyFirst = pacer.reserve(robot: "r", at: start + .seconds(30))
        #expect(start + .seconds(30) + twentyFirst.wait == start + .milliseconds(400) + .seconds(60) + RobotPacer.margin)
        #expect(RobotPacer.margin >= .milliseconds(500))
    }

    static let token = "robot-token-0123456789"
    static let secret = "SECrobotsecret0123456789abcdef"

    func withRobot(_ body: (DingTalkAdapter, DingTalkEmulator, Channel) async throws -> Void) async throws {
        let emulator = DingTalkEmulator(
            configuration: .init(
                clientID: "ding",
                clientSecret: "s",
                rateLimits: true,
                customRobots: [.init(accessToken: Self.token, secret: Self.secret, conversationId: "cidAlerts==")]
            ),
            logger: quietLogger("emulator")
        )
        try await withServices([emulator]) {
            let base = "http://127.0.0.1:\(try await emulator.port())"
            let adapter = DingTalkAdapter(
                configuration: .init(platform: "corp", clientID: "ding", clientSecret: Secret("s"), robotCode: "ding", apiURL: base, oapiURL: base),
                httpClient: HTTPClient.shared,
                logger: quietLogger("test")
            )
            let alerts = Channel(
                name: "alerts",
                platform: "corp",
                address: .robotWebhook(accessToken: Secret(Self.token), secret: Secret(Self.secret))
            )
            try await body(adapter, emulator, alerts)
        }
    }

    @Test func aSignedSendArrivesAndARetryWithTheSameKeyIsNotSentTwice() async throws {
        try await withRobot { adapter, emulator, alerts in
            let message = OutboundMessage(channel: alerts, text: "disk almost full", idempotencyKey: "gatehouse-job-7")
            let ids = try await adapter.send(message)
            // The send timed out on our side, say, and is retried: the same msgUuid, one message.
            #expect(try await adapter.send(message) == ids)
            let sent = await emulator.sent(conversation: "cidAlerts==")
            #expect(sent.compactMap(\.content) == ["disk almost full"])
            #expect(await emulator.stats().rejectedSignatures == 0)
            // Recall is not possible for a custom robot: said permanently, not retried.
            await #expect { try await adapter.delete(ids, in: alerts, priority: .interactive) } throws: {
                ($0 as? DeliveryError)?.isPermanent == true
            }
        }
    }

    @Test func aWrongSecretIsRefusedPermanentlyWithoutTheTokenInTheReason() async throws {
        try await withRobot { adapter, emulator, _ in
            let forged = Channel(
                name: "alerts",
                platform: "corp",
                address: .robotWebhook(accessToken: Secret(Self.token), secret: Secret("SECwrong"))
            )
            await #expect {
                _ = try await adapter.send(OutboundMessage(channel: forged, text: "x", idempotencyKey: "k"))
            } throws: { error in
                guard let error = error as? DeliveryError else { return false }
                return error.isPermanent && error.detail.contains("310000") && !error.detail.contains(Self.token)
            }
            #expect(await emulator.stats().rejectedSignatures == 1)
        }
    }

    @Test func aThrottledRobotWaitsOutTheWholePenalty() async throws {
        try await withRobot { adapter, emulator, alerts in
            // Twenty in the minute, then one more from elsewhere: the platform throttles the robot (410100).
            for number in 0..<20 {
                _ = try await adapter.send(OutboundMessage(channel: alerts, text: "burst \(number)", idempotencyKey: "b\(number)"))
            }
            var extra = HTTPClientRequest(
                url: CustomRobotClient.url(
                    base: "http://127.0.0.1:\(try await emulator.port())",
                    accessToken: Secret(Self.token),
                    secret: Secret(Self.secret)
                )
            )
            extra.method = .POST
            extra.headers.add(name: "Content-Type", value: "application/json")
            extra.body = .bytes(Array(#"{"msgtype":"text","text":{"content":"one too many"}}"#.utf8))
            _ = try await HTTPClient.shared.execute(extra, timeout: .seconds(5)).body.collect(upTo: 1 << 16)
            // A gateway that did not pace it (a fresh adapter) is told so, and waits the whole penalty.
            let fresh = DingTalkAdapter(configuration: adapter.configuration, httpClient: HTTPClient.shared, logger: quietLogger("test"))
            await #expect {
                _ = try await fresh.send(OutboundMessage(channel: alerts, text: "after", idempotencyKey: "a"))
            } throws: { error in
                (error as? DeliveryError)?.disposition == .transient(retryAfter: .seconds(600))
            }
            #expect(await emulator.sent(conversation: "cidAlerts==").count == 20)
        }
    }
}
