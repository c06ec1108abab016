import Foundation

/// Interactive cards as the card pages describe them: `card/instances/createAndDeliver` (an
/// outTrackId names one card, delivered to IM groups and robot one-to-one chats), `PUT
/// card/instances` (by key or overwriting), `card/callbacks/register`, and the clicks that the
/// control API makes, whose callback answer updates the card.
extension DingTalkAppState {
    /// The space types createAndDeliver knows, and the deliver model each needs.
    static let cardSpaces: [String: String] = [
        "IM_GROUP": "imGroupOpenDeliverModel", "IM_SINGLE": "imSingleOpenDeliverModel",
        "IM_ROBOT": "imRobotOpenDeliverModel", "ONE_BOX": "topOpenDeliverModel",
    ]

    func createCard(_ body: [String: JSONValue], robotCode: String) throws -> JSONValue {
        guard let template = body["cardTemplateId"]?.stringValue, !template.isEmpty else {
            throw DingTalkAPIError.openAPI("param.cardTemplateIdEmpty", "param.cardTemplateIdEmpty")
        }
        guard let id = body["outTrackId"]?.stringValue, !id.isEmpty else {
            throw DingTalkAPIError.openAPI("param.outTrackIdEmpty", "param.outTrackIdEmpty")
        }
        guard let openSpaceID = body["openSpaceId"]?.stringValue, !openSpaceID.isEmpty else {
            throw DingTalkAPIError.openAPI("param.openSpaceIdEmpty", "param.openSpaceIdEmpty")
        }
        guard openSpaceID.hasPrefix("dtv1.card//") else {
            throw DingTalkAPIError.openAPI("param.openSpaceIdInvalid", "param.openSpaceIdInvalid")
        }
        var spaces: [(type: String, id: String)] = []
        for entry in openSpaceID.dropFirst("dtv1.card//".count).split(separator: ";") {
            guard let dot = entry.firstIndex(of: "."), Self.cardSpaces[entry[..<dot].uppercased()] != nil, entry.index(after: dot) < entry.endIndex
            else {
                throw DingTalkAPIError.openAPI("param.openSpaceIdInvalid", "param.openSpaceIdInvalid")
            }
            spaces.append((entry[..<dot].uppercased(), String(entry[entry.index(after: dot)...])))
        }
        guard !spaces.isEmpty else { throw DingTalkAPIError.openAPI("param.openSpaceIdInvalid", "param.openSpaceIdInvalid") }
        for type in Set(spaces.map(\.type)) {
            guard let model = Self.cardSpaces[type], let deliver = body[model]?.objectValue else {
                throw DingTalkAPIError.openAPI("param.openDeliverModelEmpty", "param.openDeliverModelEmpty")
            }
            // A group card names the robot that sends it (required); a robot chat's model names it
            // or, with nothing else set, says spaceType IM_ROBOT (the page's wording).
            let code = deliver["robotCode"]?.stringValue ?? ""
            switch type {
            case "IM_GROUP" where code.isEmpty:
                throw DingTalkAPIError.openAPI("param.openDeliverModelError", "param.openDeliverModelError")
            case "IM_ROBOT" where code.isEmpty && deliver["spaceType"]?.stringValue != "IM_ROBOT":
                throw DingTalkAPIError.openAPI("param.openDeliverModelError", "param.openDeliverModelError")
            default:
                break
            }
            if !code.isEmpty, code != robotCode, type == "IM_GROUP" || type == "IM_ROBOT" {
                throw DingTalkAPIError.openAPI("invalidParameter.robotCode.notExsit", "机器人不存在")
            }
        }
        guard let data = body["cardData"]?.objectValue else {
            throw DingTalkAPIError.openAPI("param.cardPublicDataEmpty", "param.cardPublicDataEmpty")
        }
        let fields = try Self.cardParamMap(data["cardParamMap"])
        let callbackType = body["callbackType"]?.stringValue ?? "STREAM"
        guard callbackType == "STREAM" || callbackType == "HTTP" else { throw DingTalkAPIError.openAPI("param.invalid", "param.invalid") }
        let routeKey = body["callbackRouteKey"]?.stringValue
        if callbackType == "HTTP" {
            guard let routeKey, cardCallbacks[routeKey] != nil else {
                throw DingTalkAPIError.openAPI("param.invalid", "param.invalid: callbackRouteKey")
            }
        }
        guard cards[id] == nil else { throw DingTalkAPIError.openAPI("param.cardAlreadyExist", "param.cardAlreadyExist") }
        var privateData: [String: [String: String]] = [:]
        for (user, value) in body["privateData"]?.objectValue ?? [:] {
            privateData[user] = try Self.cardParamMap(value["cardParamMap"])
        }
        var results: [JSONValue] = []
        var delivered: [String] = []
        for space in spaces {
            var result: [String: JSONValue] = ["spaceType": .string(space.type), "spaceId": .string(space.id)]
            // A person the organisation does not have gets nothing.
            if space.type == "IM_ROBOT", let known = configuration.staffIDs, !known.contains(space.id) {
                result["success"] = .bool(false)
                result["errorMsg"] = .string("param.userIdNotExist")
            } else {
                result["success"] = .bool(true)
                result["carrierId"] = .string(Self.randomKey(bytes: 24))
                delivered.append("\(space.type).\(space.id)")
            }
            results.append(.object(result))
        }
        cards[id] = DingTalkEmulator.Card(
            outTrackId: id,
            cardTemplateId: template,
            callbackType: callbackType,
            callbackRouteKey: routeKey,
            spaces: delivered,
            cardData: fields,
            privateData: privateData,
            updates: 0
        )
        return .object(["success": .bool(true), "result": .object(["outTrackId": .string(id), "deliverResults": .array(results)])])
    }

    func updateCard(_ body: [String: JSONValue]) throws {
        guard let id = body["outTrackId"]?.stringValue, !id.isEmpty else {
            throw DingTalkAPIError.openAPI("param.outTrackIdEmpty", "param.outTrackIdEmpty")
        }
        let data = body["cardData"]?["cardParamMap"]
        let privateData = body["privateData"]?.objectValue
        guard data != nil || privateData != nil else {
            throw DingTalkAPIError.openAPI("param.cardDataAndPrivateDataBothEmpty", "param.cardDataAndPrivateDataBothEmpty")
        }
        guard var card = cards[id] else { throw DingTalkAPIError.openAPI("param.cardNotExist", "param.cardNotExist") }
        let byKey = body["cardUpdateOptions"]?["updateCardDataByKey"]?.boolValue == true
        let privateByKey = body["cardUpdateOptions"]?["updatePrivateDataByKey"]?.boolValue == true
        if let data {
            let fields = try Self.cardParamMap(data)
            card.cardData = byKey ? card.cardData.merging(fields) { _, new in new } : fields
        }
        for (user, value) in privateData ?? [:] {
            let fields = try Self.cardParamMap(value["cardParamMap"])
            card.privateData[user] = privateByKey ? (card.privateData[user] ?? [:]).merging(fields) { _, new in new } : fields
        }
        card.updates += 1
        cards[id] = card
    }

    /// Applies a callback's answer (`cardData`, `userPrivateData` for the clicker, by
    /// `cardUpdateOptions`); an answer that is not one changes nothing.
    func applyCallbackAnswer(_ answer: JSONValue, card id: String, user: String) {
        guard var card = cards[id] else { return }
        let byKey = answer["cardUpdateOptions"]?["updateCardDataByKey"]?.boolValue == true
        let privateByKey = answer["cardUpdateOptions"]?["updatePrivateDataByKey"]?.boolValue == true
        if let fields = try? Self.cardParamMap(answer["cardData"]?["cardParamMap"]), answer["cardData"] != nil {
            card.cardData = byKey ? card.cardData.merging(fields) { _, new in new } : fields
        }
        if let fields = try? Self.cardParamMap(answer["userPrivateData"]?["cardParamMap"]), answer["userPrivateData"] != nil {
            card.privateData[user] = privateByKey ? (card.privateData[user] ?? [:]).merging(fields) { _, new in new } : fields
        }
        card.updates += 1
        cards[id] = card
    }

    func registerCardCallback(_ body: [String: JSONValue]) throws -> JSONValue {
        guard let key = body["callbackRouteKey"]?.stringValue, !key.isEmpty else {
            throw DingTalkAPIError.openAPI("param.callbackRouteKeyEmpty", "param.callbackRouteKeyEmpty")
        }
        guard let url = body["callbackUrl"]?.stringValue, !url.isEmpty else {
            throw DingTalkAPIError.openAPI("param.callbackUrlEmpty", "param.callbackUrlEmpty")
        }
        let secret = body["apiSecret"]?.stringValue
        // Registering a key again returns what it has unless forceUpdate confirms the change.
        if let existing = cardCallbacks[key], body["forceUpdate"]?.boolValue != true {
            return Self.registration(url: existing.url, secret: existing.secret)
        }
        cardCallbacks[key] = (url, secret)
        return Self.registration(url: url, secret: secret)
    }

    private static func registration(url: String, secret: String?) -> JSONValue {
        .object(["success": .bool(true), "result": .object(["callbackUrl": .string(url), "apiSecret": secret.map(JSONValue.string) ?? .null])])
    }

    func card(_ id: String) -> DingTalkEmulator.Card? {
        cards[id]
    }

    func allCards() -> [DingTalkEmulator.Card] {
        cards.values.sorted { $0.outTrackId < $1.outTrackId }
    }

    func cardCallback(_ routeKey: String?) -> (url: String, secret: String?)? {
        routeKey.flatMap { cardCallbacks[$0] }
    }

    /// A `cardParamMap`: string keys of at most 100 bytes to string values of at most 1 KB.
    static func cardParamMap(_ value: JSONValue?) throws -> [String: String] {
        guard let value else { return [:] }
        guard let members = value.objectValue else { throw DingTalkAPIError.openAPI("param.invalid", "param.invalid: cardParamMap") }
        var fields: [String: String] = [:]
        for (key, member) in members {
            // Only strings: other types are written as strings (the API card data page).
            guard let text = member.stringValue, key.utf8.count <= 100, text.utf8.count <= 1024 else {
                throw DingTalkAPIError.openAPI("param.invalid", "param.invalid: cardParamMap \(key)")
            }
            fields[key] = text
        }
        return fields
    }
}
