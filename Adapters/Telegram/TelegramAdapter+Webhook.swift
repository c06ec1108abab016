import Foundation
import GatehouseCore
import Logging

extension TelegramAdapter: PushReceiving {
    /// Webhook intake: tells Telegram where to push (`setWebhook`, retried until Telegram accepts
    /// it or intake stops). The webhook stays set on shutdown, so Telegram keeps the updates that
    /// arrive meanwhile (for up to a day) and pushes them after the restart.
    func register(_ webhook: Webhook) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                defer { started?.fire() }
                let _: Bool = try await client.call(
                    "setWebhook",
                    SetWebhook(url: webhook.url, secretToken: webhook.secret.value, allowedUpdates: Self.allowedUpdates),
                    timeout: configuration.requestTimeout
                )
                logger.info("receiving updates by webhook", metadata: ["gh.url": .string(webhook.url)])
                return
            } catch {
                failures += 1
                let delay = configuration.pollBackoff.delay(afterFailures: failures)
                logger.error(
                    "setWebhook failed; retrying",
                    metadata: [
                        "gh.error": .string(error.shortDescription), "gh.detail": .string(error.detail), "gh.retry_in": .string(delay.description),
                    ]
                )
                try? await Task.sleep(for: delay)
            }
        }
    }

    /// Refuses, before the body is read, a push without the right secret header (compared in
    /// constant time), or any push when this bot does not receive by webhook.
    public func screen(_ headers: [String: String], now: Date) -> PushAnswer? {
        guard let webhook = configuration.webhook else { return .refused(.unknownHook) }
        guard let given = headers["x-telegram-bot-api-secret-token"], webhook.secret.matches(given) else {
            // Counted and summed up by the door once per interval: a flood must not become a
            // flood of log lines.
            return .refused(.unauthorized)
        }
        return nil
    }

    /// One pushed update: refused as malformed when it is not an Update; nothing when no route
    /// could take it (a kind of update this adapter does not carry).
    public func decode(_ push: Push) -> PushContent {
        guard let update = try? JSONDecoder().decode(Update.self, from: Data(push.body)) else {
            return .refused(PushAnswer(status: 400, body: "not a Telegram Update", refusal: .malformed))
        }
        return envelope(from: update).map(PushContent.envelope) ?? .nothing
    }
}
