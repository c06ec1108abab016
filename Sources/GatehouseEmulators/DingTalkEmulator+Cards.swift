import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

extension DingTalkEmulator {
    /// An interactive card as the emulator keeps it (`GET /_emulator/cards`).
    public struct Card: Codable, Sendable, Hashable {
        public var outTrackId: String
        public var cardTemplateId: String
        /// STREAM or HTTP.
        public var callbackType: String
        public var callbackRouteKey: String?
        /// Where it was delivered: `IM_GROUP.<openConversationId>`, `IM_ROBOT.<userId>`.
        public var spaces: [String]
        /// The public variables, as everyone sees them now.
        public var cardData: [String: String]
        /// Each person's private variables.
        public var privateData: [String: [String: String]]
        /// How many times it changed after it was created (updates and callback answers).
        public var updates: Int
    }

    /// `POST /_emulator/cards/click`: a person clicks a card's button. `params` are the button's
    /// callback parameters (an input's value among them), `actionId` the button's id.
    public struct Click: Codable, Sendable {
        public var outTrackId: String
        public var userId: String
        public var actionId: String?
        public var params: [String: String]

        public init(outTrackId: String, userId: String, actionId: String? = nil, params: [String: String]) {
            self.outTrackId = outTrackId
            self.userId = userId
            self.actionId = actionId
            self.params = params
        }
    }

    /// What a click came to: whether the app answered within the platform's two seconds, and the
    /// card as it is now.
    public struct ClickResult: Codable, Sendable {
        public var answered: Bool
        public var card: Card?
        public var error: String?
    }

    /// The Stream topic of card callbacks.
    static let cardTopic = "/v1.0/card/instances/callback"
    /// How long the platform waits for a card callback's answer.
    static let cardCallbackTimeout = Duration.seconds(2)

    /// Delivers a click to the app as the card's callback type says (a Stream CALLBACK, or a
    /// POST to the registered URL signed with `x-ddpaas-signature`), and applies its answer.
    static func click(_ click: Click, app: DingTalkAppState, hub: DingTalkStreamHub, corpID: String) async throws(EmulatorError) -> ClickResult {
        guard let card = await app.card(click.outTrackId) else { throw .invalidInjection("no card with outTrackId \(click.outTrackId)") }
        // Only someone the card was delivered to can click it: the person of a robot chat, or
        // anyone in a group it went to.
        let reaches = card.spaces.contains { $0 == "IM_ROBOT.\(click.userId)" || $0.hasPrefix("IM_GROUP.") || $0.hasPrefix("IM_SINGLE.") }
        guard reaches else { throw .invalidInjection("user \(click.userId) was not delivered card \(click.outTrackId)") }
        let content = JSONValue.object([
            "cardPrivateData": .object([
                "actionIds": .array([.string(click.actionId ?? click.params["action"] ?? "button")]),
                "params": .object(click.params.mapValues(JSONValue.string)),
            ])
        ])
        let data = JSONValue.object([
            "type": .string("actionCallback"),
            "outTrackId": .string(click.outTrackId),
            "corpId": .string(corpID),
            "userId": .string(click.userId),
            "content": .string(content.jsonString),
        ]).jsonString
        // The card's update: the body of an HTTP callback's answer; over Stream, the `response`
        // of the ACK's data, as every Stream callback is answered (the Stream protocol page).
        let answer: JSONValue?
        if card.callbackType == "HTTP" {
            guard let callback = await app.cardCallback(card.callbackRouteKey) else {
                throw .invalidInjection("card \(click.outTrackId)'s callbackRouteKey is not registered")
            }
            answer = await postCardCallback(data, to: callback.url, secret: callback.secret).map { (try? JSONValue.parse($0)) ?? .null }
        } else {
            answer = await hub.callbackAnswer(topic: cardTopic, data: data, timeout: cardCallbackTimeout).map {
                (try? JSONValue.parse($0))?["response"] ?? .null
            }
        }
        guard let answer else {
            return ClickResult(answered: false, card: await app.card(click.outTrackId), error: "no answer within 2 s")
        }
        await app.applyCallbackAnswer(answer, card: click.outTrackId, user: click.userId)
        return ClickResult(answered: true, card: await app.card(click.outTrackId), error: nil)
    }

    /// POSTs a card callback, signed when the registration has an apiSecret: the
    /// `x-ddpaas-signature-timestamp` header and `x-ddpaas-signature` =
    /// base64(HMAC-SHA256(apiSecret, timestamp)). The answer body, or nil without a 2xx in time.
    static func postCardCallback(_ data: String, to url: String, secret: String?) async -> String? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let secret {
            let timestamp = String(EmulatorHTTP.nowMilliseconds())
            request.headers.add(name: "x-ddpaas-signature-timestamp", value: timestamp)
            request.headers.add(name: "x-ddpaas-signature", value: cardSignature(timestamp: timestamp, secret: secret))
        }
        request.body = .bytes(ByteBuffer(string: data))
        do {
            let response = try await HTTPClient.shared.execute(
                request,
                timeout: .nanoseconds(Int64(cardCallbackTimeout.components.seconds) * 1_000_000_000)
            )
            let body = try await response.body.collect(upTo: 1 << 20)
            guard (200..<300).contains(response.status.code) else { return nil }
            return String(buffer: body)
        } catch {
            return nil
        }
    }

    /// The card callback signature of the event-callback page.
    static func cardSignature(timestamp: String, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(timestamp.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Data(code).base64EncodedString()
    }
}
