import Foundation
import GatehouseCore
import Logging
import Synchronization

/// The handler pushed updates are given to while webhook intake runs, and what was refused.
final class WebhookIntake: Sendable {
    let handler = Mutex<InboundHandler?>(nil)
    /// Requests refused for a missing or wrong secret header.
    let rejected = Mutex(0)
}

extension TelegramAdapter: WebhookReceiving {
    /// Webhook intake: registers the hook with `setWebhook` (retried until Telegram accepts it),
    /// then takes pushes until cancelled. The webhook stays set on shutdown, so Telegram keeps
    /// the updates that arrive meanwhile (for up to a day) and pushes them after the restart.
    func receivePushes(at webhook: Webhook, _ handler: @escaping InboundHandler) async throws {
        pushes.handler.withLock { $0 = handler }
        defer { pushes.handler.withLock { $0 = nil } }
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
                break
            } catch {
                failures += 1
                let delay = configuration.pollBackoff.delay(afterFailures: failures)
                logger.error("setWebhook failed; retrying", metadata: [
                    "gh.error": .string(error.shortDescription), "gh.detail": .string(error.detail), "gh.retry_in": .string(delay.description),
                ])
                try? await Task.sleep(for: delay)
            }
        }
        // Pushes arrive through receiveWebhook; this only keeps intake open until it is stopped
        // (cancellation is the normal way out, as for the poll loop).
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }

    /// Refuses, before the body is read, a push without the right secret header (compared in
    /// constant time), or any push when this bot does not receive by webhook.
    public func screen(_ headers: [String: String]) -> WebhookResponse? {
        guard let webhook = configuration.webhook else { return .refused(.unknownHook) }
        guard let given = headers["x-telegram-bot-api-secret-token"], webhook.secret.matches(given) else {
            pushes.rejected.withLock { $0 += 1 }
            // Counted and summarised by the listener once per interval: a flood must not become
            // a flood of log lines.
            return .refused(.unauthorized)
        }
        return nil
    }

    /// One push: answered 401 without the right secret header, 400 when it is not an Update,
    /// 503 while intake is not running, 500 when the commit failed (Telegram pushes it again), and
    /// 200 once the update is committed and acknowledged, or has nothing a route can take.
    public func receiveWebhook(_ request: WebhookRequest) async -> WebhookResponse {
        if let refusal = screen(request.headers) { return refusal }
        guard let handler = pushes.handler.withLock({ $0 }) else {
            return WebhookResponse(status: 503, body: "not receiving yet")
        }
        let update: Update
        do {
            update = try JSONDecoder().decode(Update.self, from: Data(request.body))
        } catch {
            return WebhookResponse(status: 400, body: "not a Telegram Update", refusal: .malformed)
        }
        guard let envelope = envelope(from: update) else { return .ok }
        let acknowledged = Mutex(false)
        do {
            try await handler([InboundEvent(envelope: envelope, acknowledgement: Acknowledgement { acknowledged.withLock { $0 = true } })])
        } catch {
            logger.error("a pushed update could not be committed; Telegram will push it again", metadata: [
                "gh.update": .stringConvertible(update.updateID), "gh.error": .string(String(describing: error)),
            ])
        }
        return acknowledged.withLock { $0 } ? .ok : WebhookResponse(status: 500, body: "not committed; push again")
    }

    /// Webhook requests refused for a missing or wrong secret, since the start.
    public var rejectedWebhookRequests: Int { pushes.rejected.withLock { $0 } }
}
