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

    public func deliver(_ card: ReviewCard) async throws {
        let groups = card.spaces.compactMap { if case .group(let id) = $0 { id } else { nil } }
        let people = card.spaces.compactMap { if case .person(let id) = $0 { id } else { nil } }
        guard !groups.isEmpty || !people.isEmpty else { throw DeliveryError.rejected("a card needs somewhere to go") }
        let request = CardDelivery(
            cardTemplateId: card.template,
            outTrackId: card.id,
            callbackType: "STREAM",
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
            if String(describing: error).contains("param.cardAlreadyExist") { return }
            throw error
        }
        let failed = (response.result?.deliverResults ?? []).filter { $0.success != true }
        if !failed.isEmpty {
            throw DeliveryError.unavailable(
                "card \(card.id) not delivered to "
                    + failed.map { "\($0.spaceType ?? "?") \($0.spaceId ?? "?"): \($0.errorMsg ?? "no reason given")" }.joined(separator: "; ")
            )
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

    /// Answers a card callback frame: decodes the click, asks the handler (which records the
    /// decision), and ACKs with the card's new variables. A frame that is not a click is
    /// answered with nothing to change.
    func answerCard(_ data: String?, ack: @Sendable (String) async throws -> Void) async throws {
        guard let data, let action = Self.cardAction(from: Data(data.utf8), platform: platform) else {
            logger.warning("ignoring a card callback that is not a click on a card")
            try await ack(Self.cardResponse(CardAnswer()))
            return
        }
        let answer = await cardHandler.answer(action)
        try await ack(Self.cardResponse(answer))
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
