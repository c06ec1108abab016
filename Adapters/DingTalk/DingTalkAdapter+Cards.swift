import Crypto
import Foundation
import GatehouseCore
import Logging
import Synchronization

/// Review cards: created and delivered with `card/instances/createAndDeliver`, changed with
/// `PUT card/instances`, their clicks received over Stream (topic `/v1.0/card/instances/callback`)
/// and answered, within the platform's two seconds, with the card's new variables.
extension DingTalkAdapter: CardCarrier {
    /// The Stream topic of card callbacks.
    static let cardCallbackTopic = "/v1.0/card/instances/callback"

    public func deliver(_ card: ReviewCard) async throws -> [String] {
        let groups = card.spaces.compactMap { if case .group(let id) = $0 { id } else { nil } }
        let people = card.spaces.compactMap { if case .person(let id) = $0 { id } else { nil } }
        guard !groups.isEmpty || !people.isEmpty else { throw DeliveryError.rejected("a card needs somewhere to go") }
        let request = CardDelivery(
            cardTemplateId: card.template,
            outTrackId: card.id,
            callbackType: takesCardPushes ? "HTTP" : "STREAM",
            callbackRouteKey: takesCardPushes ? cardRouteKey : nil,
            cardData: .init(cardParamMap: card.fields),
            openSpaceId: "dtv1.card//" + (groups.map { "IM_GROUP.\($0)" } + people.map { "IM_ROBOT.\($0)" }).joined(separator: ";"),
            imGroupOpenSpaceModel: groups.isEmpty ? nil : .init(supportForward: false),
            imGroupOpenDeliverModel: groups.isEmpty ? nil : .init(robotCode: configuration.robotCode, spaceType: nil),
            imRobotOpenSpaceModel: people.isEmpty ? nil : .init(supportForward: false),
            imRobotOpenDeliverModel: people.isEmpty ? nil : .init(robotCode: configuration.robotCode, spaceType: "IM_ROBOT"),
            userIdType: 1
        )
        let outcome: Result<CardDeliveryResponse, DeliveryError> = await Self.attempt { () async throws(DeliveryError) -> CardDeliveryResponse in
            try await authorized { token throws(DeliveryError) in
                try await api.post("/v1.0/card/instances/createAndDeliver", request, accessToken: token)
            }
        }
        let response: CardDeliveryResponse
        switch outcome {
        case .success(let answer):
            response = answer
        case .failure(let error):
            // Delivered by an earlier attempt whose answer was lost.
            if String(describing: error).contains("param.cardAlreadyExist") { return [] }
            throw error
        }
        // The card exists now: a space it did not reach (a person DingTalk does not know) is
        // reported, not tried again with the same card, which the platform would refuse as made.
        return (response.result?.deliverResults ?? []).filter { $0.success != true }.map {
            "\($0.spaceType ?? "?").\($0.spaceId ?? "?"): \($0.errorMsg ?? "no reason given")"
        }
    }

    private static func attempt<Value>(_ call: () async throws(DeliveryError) -> Value) async -> Result<Value, DeliveryError> {
        do {
            return .success(try await call())
        } catch {
            return .failure(error)
        }
    }

    public func update(card id: String, fields: [String: String]) async throws {
        let response: CardUpdateResponse = try await authorized { token throws(DeliveryError) in
            try await api.post(
                "/v1.0/card/instances",
                CardUpdate(outTrackId: id, cardData: .init(cardParamMap: fields), cardUpdateOptions: .init(updateCardDataByKey: true)),
                accessToken: token,
                method: .PUT
            )
        }
        guard response.result != false else { throw DeliveryError.unavailable("card \(id) was not updated") }
    }

    public func answerCards(with handler: @escaping CardActionHandler) {
        cardHandler.install(handler)
    }

    // MARK: Clicks by HTTP

    public var takesCardPushes: Bool { configuration.cardCallbackURL != nil }

    /// The route key the callback address is registered under, one per app.
    var cardRouteKey: String { "gatehouse-\(configuration.clientID)" }

    /// The secret DingTalk signs card callbacks with (`apiSecret`), derived from the app secret so
    /// that there is no second secret to keep: whoever knows it knows the app secret already.
    var cardSecret: String { Self.cardSecret(for: configuration.clientSecret) }

    /// The card callback secret an app with this app secret registers.
    public static func cardSecret(for clientSecret: Secret) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("gatehouse card callback".utf8), using: SymmetricKey(data: Data(clientSecret.value.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// `x-ddpaas-signature` for a timestamp: base64(HMAC-SHA256(apiSecret, timestamp)).
    public static func cardSignature(timestamp: String, secret: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(timestamp.utf8), using: SymmetricKey(data: Data(secret.utf8)))).base64EncodedString()
    }

    /// Registers `/hooks/<platform>/cards` as the card callback address (`card/callbacks/register`,
    /// overwriting an earlier registration of this app's key).
    func registerCardCallback() async throws {
        guard let url = configuration.cardCallbackURL else { return }
        let _: CardCallbackRegistration.Response = try await authorized { token throws(DeliveryError) in
            try await api.post(
                "/v1.0/card/callbacks/register",
                CardCallbackRegistration(callbackRouteKey: cardRouteKey, callbackUrl: url, apiSecret: cardSecret, forceUpdate: true),
                accessToken: token
            )
        }
        logger.info("card callbacks registered", metadata: ["gh.url": .string(url)])
    }

    /// Refuses a card click whose `x-ddpaas-signature-timestamp` is not within five minutes of
    /// `now` (a click is answered within two seconds; a late one is a replay), or whose
    /// `x-ddpaas-signature` (base64 HMAC-SHA256 of the timestamp under the apiSecret) does not
    /// match, in constant time.
    public func screenCard(_ headers: [String: String], now: Date) -> PushAnswer? {
        guard takesCardPushes else { return .refused(.unknownHook) }
        guard let timestamp = headers["x-ddpaas-signature-timestamp"], let milliseconds = ClockWindow.milliseconds(timestamp),
            Self.cardClockWindow.contains(milliseconds, now: Int64(now.timeIntervalSince1970 * 1000))
        else {
            return .refused(.stale)
        }
        guard let signature = headers["x-ddpaas-signature"], Secret(Self.cardSignature(timestamp: timestamp, secret: cardSecret)).matches(signature)
        else {
            return .refused(.unauthorized)
        }
        return nil
    }

    /// The signature covers the timestamp alone: each signed timestamp is taken once.
    public func cardToken(_ headers: [String: String]) -> PushToken? {
        guard let milliseconds = headers["x-ddpaas-signature-timestamp"].flatMap(ClockWindow.milliseconds) else { return nil }
        let (end, overflow) = milliseconds.addingReportingOverflow(Self.cardClockWindow.milliseconds)
        return PushToken(
            nonce: "card-timestamp:\(milliseconds):\(headers["x-ddpaas-signature"] ?? "")",
            expires: overflow ? .distantFuture : Date(timeIntervalSince1970: TimeInterval(end) / 1000)
        )
    }

    public func answerCardPush(_ push: Push) async -> PushAnswer {
        guard var action = Self.cardAction(from: Data(push.body), platform: platform) else {
            return PushAnswer(status: 400, body: "not a card click", refusal: .malformed)
        }
        action.nonce = cardToken(push.headers)?.nonce
        return PushAnswer(status: 200, body: Self.cardResponse(await cardHandler.answer(action)))
    }

    /// How far a card click's signed time may be from the gateway's clock.
    static let cardClockWindow = ClockWindow(milliseconds: 5 * 60 * 1000)

    /// Answers a card callback frame: decodes the click, asks the handler (which records the
    /// decision), and ACKs with the card's new variables, as every Stream callback's answer is
    /// given: `{"response": …}` in the ACK's data. A frame that is not a click is answered with
    /// nothing to change.
    func answerCard(_ data: String?, ack: @Sendable (String) async throws -> Void) async throws {
        guard let data, let action = Self.cardAction(from: Data(data.utf8), platform: platform) else {
            logger.warning("ignoring a card callback that is not a click on a card")
            try await ack(#"{"response":null}"#)
            return
        }
        let answer = await cardHandler.answer(action)
        try await ack(#"{"response":"# + Self.cardResponse(answer) + "}")
    }

    /// A card callback's click (`type: actionCallback`, `outTrackId`, `userId`, and `content`, a
    /// JSON string whose `cardPrivateData.params` are the button's parameters). Values that are
    /// not strings are kept as their JSON. Nil for anything else.
    static func cardAction(from data: Data, platform: String) -> CardAction? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let card = object["outTrackId"] as? String, !card.isEmpty, card.utf8.count <= 256,
            let person = object["userId"] as? String, !person.isEmpty, person.utf8.count <= 256
        else { return nil }
        var parameters: [String: String] = [:]
        let content: Any? = (object["content"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } ?? object["content"]
        if let content = content as? [String: Any], let privateData = content["cardPrivateData"] as? [String: Any],
            let params = privateData["params"] as? [String: Any]
        {
            for (key, value) in params.prefix(32) where key.utf8.count <= 100 {
                let text: String
                if let string = value as? String {
                    text = string
                } else if let json = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]) {
                    text = String(decoding: json, as: UTF8.self)
                } else {
                    continue
                }
                parameters[key] = String(text.prefix(2000))
            }
        }
        return CardAction(card: card, person: person, parameters: parameters, platform: platform)
    }

    /// The callback's answer: the public variables for everyone, by key, and the notice for the
    /// clicker alone (`userPrivateData`, not keyed by user).
    static func cardResponse(_ answer: CardAnswer) -> String {
        let response = CardCallbackResponse(
            cardUpdateOptions: .init(updateCardDataByKey: true, updatePrivateDataByKey: true),
            cardData: .init(cardParamMap: answer.fields),
            userPrivateData: .init(cardParamMap: answer.notice.map { [ReviewCard.Field.notice: $0] } ?? [:])
        )
        return (try? String(decoding: JSONEncoder().encode(response), as: UTF8.self)) ?? "{}"
    }
}

/// Holds the handler that answers card clicks, installed once the gateway is built.
final class CardHandler: Sendable {
    private let handler = Mutex<CardActionHandler?>(nil)

    func install(_ handler: @escaping CardActionHandler) {
        self.handler.withLock { $0 = handler }
    }

    func answer(_ action: CardAction) async -> CardAnswer {
        guard let handler = handler.withLock({ $0 }) else {
            return CardAnswer(notice: "Gatehouse is starting; try again in a moment.")
        }
        return await handler(action)
    }
}

/// `POST /v1.0/card/instances/createAndDeliver` body (the fields Gatehouse uses).
struct CardDelivery: Encodable, Sendable {
    struct CardData: Codable, Sendable {
        var cardParamMap: [String: String]
    }
    struct SpaceModel: Encodable, Sendable {
        var supportForward: Bool
    }
    struct DeliverModel: Encodable, Sendable {
        var robotCode: String
        var spaceType: String?
    }
    var cardTemplateId: String
    var outTrackId: String
    var callbackType: String
    var callbackRouteKey: String?
    var cardData: CardData
    var openSpaceId: String
    var imGroupOpenSpaceModel: SpaceModel?
    var imGroupOpenDeliverModel: DeliverModel?
    var imRobotOpenSpaceModel: SpaceModel?
    var imRobotOpenDeliverModel: DeliverModel?
    var userIdType: Int
}

struct CardDeliveryResponse: Decodable {
    struct Result: Decodable {
        struct Delivered: Decodable {
            var spaceType: String?
            var spaceId: String?
            var success: Bool?
            var errorMsg: String?
        }
        var outTrackId: String?
        var deliverResults: [Delivered]?
    }
    var success: Bool?
    var result: Result?
}

/// `PUT /v1.0/card/instances` body.
struct CardUpdate: Encodable, Sendable {
    struct Options: Encodable, Sendable {
        var updateCardDataByKey: Bool
    }
    var outTrackId: String
    var cardData: CardDelivery.CardData
    var cardUpdateOptions: Options
}

struct CardUpdateResponse: Decodable {
    var success: Bool?
    var result: Bool?
}

/// `POST /v1.0/card/callbacks/register` body and answer.
struct CardCallbackRegistration: Encodable, Sendable {
    struct Response: Decodable {
        var success: Bool?
    }
    var callbackRouteKey: String
    var callbackUrl: String
    var apiSecret: String
    var forceUpdate: Bool
}

/// A card callback's answer.
struct CardCallbackResponse: Encodable {
    struct Options: Encodable {
        var updateCardDataByKey: Bool
        var updatePrivateDataByKey: Bool
    }
    var cardUpdateOptions: Options
    var cardData: CardDelivery.CardData
    var userPrivateData: CardDelivery.CardData
}
