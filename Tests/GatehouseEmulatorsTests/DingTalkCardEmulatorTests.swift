import Foundation
import Hummingbird
import Logging
import Synchronization
import Testing

@testable import GatehouseEmulators

private let configuration = DingTalkEmulator.Configuration(rateLimits: false, staffIDs: ["rev01", "rev02"])

private func token(_ http: TestHTTP) async throws -> [(String, String)] {
    let answer = try await http.post(
        "/v1.0/oauth2/accessToken",
        json: .object(["appKey": .string(configuration.clientID), "appSecret": .string(configuration.clientSecret)])
    )
    return [("x-acs-dingtalk-access-token", try #require(answer.json["accessToken"]?.stringValue))]
}

private func card(_ id: String, spaces: String, fields: [String: String] = ["title": "t"], extra: [String: JSONValue] = [:]) -> JSONValue {
    var body: [String: JSONValue] = [
        "cardTemplateId": .string("tpl.schema"),
        "outTrackId": .string(id),
        "cardData": .object(["cardParamMap": .object(fields.mapValues(JSONValue.string))]),
        "openSpaceId": .string(spaces),
        "imGroupOpenDeliverModel": .object(["robotCode": .string(configuration.robotCode)]),
        "imRobotOpenDeliverModel": .object(["spaceType": .string("IM_ROBOT"), "robotCode": .string(configuration.robotCode)]),
    ]
    body.merge(extra) { _, new in new }
    return .object(body)
}

/// Interactive cards as the card pages describe them: created and delivered, updated by key or
/// whole, their clicks sent to the app, whose answer changes the card.
@Suite("DingTalk emulator: interactive cards", .timeLimit(.minutes(2)))
struct DingTalkCardEmulatorTests {
    @Test("createAndDeliver checks what the page requires and delivers to each space")
    func createAndDeliver() async throws {
        try await withDingTalk(configuration) { emulator, http in
            let auth = try await token(http)
            #expect(try await http.post("/v1.0/card/instances/createAndDeliver", json: card("c1", spaces: "dtv1.card//IM_ROBOT.rev01")).status == 401)
            func refusal(_ body: JSONValue) async throws -> String? {
                let answer = try await http.post("/v1.0/card/instances/createAndDeliver", json: body, headers: auth)
                return answer.status == 400 ? answer.json["code"]?.stringValue : "status \(answer.status)"
            }
            #expect(try await refusal(card("", spaces: "dtv1.card//IM_ROBOT.rev01")) == "param.outTrackIdEmpty")
            #expect(try await refusal(card("c1", spaces: "")) == "param.openSpaceIdEmpty")
            #expect(try await refusal(card("c1", spaces: "IM_ROBOT.rev01")) == "param.openSpaceIdInvalid")
            #expect(try await refusal(card("c1", spaces: "dtv1.card//IM_NOWHERE.x")) == "param.openSpaceIdInvalid")
            #expect(
                try await refusal(card("c1", spaces: "dtv1.card//IM_ROBOT.rev01", extra: ["cardTemplateId": .string("")]))
                    == "param.cardTemplateIdEmpty"
            )
            #expect(
                try await refusal(card("c1", spaces: "dtv1.card//IM_ROBOT.rev01", extra: ["imRobotOpenDeliverModel": .null]))
                    == "param.openDeliverModelEmpty"
            )
            #expect(
                try await refusal(card("c1", spaces: "dtv1.card//IM_ROBOT.rev01", fields: ["text": String(repeating: "长", count: 400)]))
                    == "param.invalid"
            )
            #expect(try await refusal(card("c1", spaces: "dtv1.card//IM_ROBOT.rev01", extra: ["callbackType": .string("HTTP")])) == "param.invalid")

            let created = try await http.post(
                "/v1.0/card/instances/createAndDeliver",
                json: card("c1", spaces: "dtv1.card//IM_GROUP.cidRoom==;IM_ROBOT.rev01;IM_ROBOT.nobody"),
                headers: auth
            )
            #expect(created.status == 200 && created.json["success"] == .bool(true))
            let results = created.json["result"]?["deliverResults"]?.arrayValue ?? []
            #expect(results.map { $0["success"]?.boolValue } == [true, true, false])
            #expect(results.last?["errorMsg"] == .string("param.userIdNotExist"))
            #expect(try await refusal(card("c1", spaces: "dtv1.card//IM_ROBOT.rev01")) == "param.cardAlreadyExist")
            #expect(await emulator.cards().first?.spaces == ["IM_GROUP.cidRoom==", "IM_ROBOT.rev01"])
        }
    }

    @Test("PUT card/instances updates by key or overwrites, and names an unknown card")
    func update() async throws {
        try await withDingTalk(configuration) { emulator, http in
            let auth = try await token(http)
            _ = try await http.post(
                "/v1.0/card/instances/createAndDeliver",
                json: card("c1", spaces: "dtv1.card//IM_ROBOT.rev01", fields: ["title": "t", "status": "waiting"]),
                headers: auth
            )
            func put(_ body: JSONValue) async throws -> HTTPAnswer {
                try await http.send("PUT", "/v1.0/card/instances", body: body.jsonString, headers: auth)
            }
            let byKey = try await put(
                .object([
                    "outTrackId": .string("c1"), "cardData": .object(["cardParamMap": .object(["status": .string("approved")])]),
                    "cardUpdateOptions": .object(["updateCardDataByKey": .bool(true)]),
                ])
            )
            #expect(byKey.status == 200 && byKey.json["result"] == .bool(true))
            #expect(await emulator.cards().first?.cardData == ["title": "t", "status": "approved"])
            _ = try await put(.object(["outTrackId": .string("c1"), "cardData": .object(["cardParamMap": .object(["status": .string("x")])])]))
            #expect(await emulator.cards().first?.cardData == ["status": "x"])
            #expect(
                try await put(.object(["outTrackId": .string("c2"), "cardData": .object(["cardParamMap": .object([:])])])).json["code"]
                    == .string("param.cardNotExist")
            )
            #expect(try await put(.object(["outTrackId": .string("c1")])).json["code"] == .string("param.cardDataAndPrivateDataBothEmpty"))
        }
    }

    @Test("a click on an HTTP card is posted signed to the registered address and its answer changes the card")
    func httpClick() async throws {
        try await withDingTalk(configuration) { emulator, http in
            let auth = try await token(http)
            // The app's callback: checks the signature, and answers with new card data.
            let receiver = CardReceiver()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await receiver.run() }
                defer { group.cancelAll() }
                #expect(try await eventually(timeout: .seconds(10)) { receiver.port != nil })
                let port = receiver.port ?? 0
                let registered = try await http.post(
                    "/v1.0/card/callbacks/register",
                    json: .object([
                        "callbackRouteKey": .string("k"), "callbackUrl": .string("http://127.0.0.1:\(port)/cards"), "apiSecret": .string("s3cret"),
                    ]),
                    headers: auth
                )
                #expect(registered.json["result"]?["callbackUrl"] == .string("http://127.0.0.1:\(port)/cards"))
                // Registering the key again without forceUpdate keeps what it has.
                let kept = try await http.post(
                    "/v1.0/card/callbacks/register",
                    json: .object(["callbackRouteKey": .string("k"), "callbackUrl": .string("http://elsewhere/")]),
                    headers: auth
                )
                #expect(kept.json["result"]?["callbackUrl"] == .string("http://127.0.0.1:\(port)/cards"))
                _ = try await http.post(
                    "/v1.0/card/instances/createAndDeliver",
                    json: card(
                        "c1",
                        spaces: "dtv1.card//IM_ROBOT.rev01",
                        extra: ["callbackType": .string("HTTP"), "callbackRouteKey": .string("k")]
                    ),
                    headers: auth
                )
                // Only someone the card reached can click it.
                let stranger = try await http.post(
                    "/_emulator/cards/click",
                    json: .object(["outTrackId": .string("c1"), "userId": .string("rev02"), "params": .object(["action": .string("approve")])])
                )
                #expect(stranger.status == 400)
                let click = try await http.post(
                    "/_emulator/cards/click",
                    json: .object(["outTrackId": .string("c1"), "userId": .string("rev01"), "params": .object(["action": .string("approve")])])
                )
                #expect(click.status == 200 && click.json["answered"] == .bool(true))
                #expect(click.json["card"]?["cardData"]?["status"] == .string("done"))
                #expect(click.json["card"]?["privateData"]?["rev01"]?["notice"] == .string("thanks"))
                let (valid, body) = try #require(receiver.received.withLock { $0.first })
                #expect(valid)
                let callback = try JSONValue.parse(body)
                #expect(
                    callback["type"] == .string("actionCallback") && callback["userId"] == .string("rev01") && callback["outTrackId"] == .string("c1")
                )
                let content = try JSONValue.parse(try #require(callback["content"]?.stringValue))
                #expect(content["cardPrivateData"]?["params"]?["action"] == .string("approve"))
            }
            _ = emulator
        }
    }

    @Test("a click on a Stream card nobody answers fails after two seconds and changes nothing")
    func unansweredStreamClick() async throws {
        try await withDingTalk(configuration) { emulator, http in
            let auth = try await token(http)
            _ = try await http.post("/v1.0/card/instances/createAndDeliver", json: card("c1", spaces: "dtv1.card//IM_ROBOT.rev01"), headers: auth)
            let click = try await http.post(
                "/_emulator/cards/click",
                json: .object(["outTrackId": .string("c1"), "userId": .string("rev01"), "params": .object(["action": .string("approve")])])
            )
            #expect(click.status == 504 && click.json["answered"] == .bool(false))
            #expect(await emulator.cards().first?.updates == 0)
        }
    }
}

/// The app's side of HTTP card callbacks: records each (whether its signature is right, and its
/// body) and answers with new card data.
final class CardReceiver: Sendable {
    let received = Mutex<[(Bool, String)]>([])
    private let bound = Mutex<Int?>(nil)

    var port: Int? { bound.withLock { $0 } }

    func run() async throws {
        let router = Router()
        router.post("/cards") { [self] request, _ -> Response in
            let timestamp = request.headers[.init("x-ddpaas-signature-timestamp")!] ?? ""
            let signature = request.headers[.init("x-ddpaas-signature")!] ?? ""
            let body = try await request.body.collect(upTo: 1 << 16)
            received.withLock {
                $0.append((signature == DingTalkEmulator.cardSignature(timestamp: timestamp, secret: "s3cret"), String(buffer: body)))
            }
            let answer =
                #"{"cardUpdateOptions":{"updateCardDataByKey":true},"cardData":{"cardParamMap":{"status":"done"}},"userPrivateData":{"cardParamMap":{"notice":"thanks"}}}"#
            return Response(status: .ok, body: .init(byteBuffer: .init(string: answer)))
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { [self] channel in bound.withLock { $0 = channel.localAddress?.port } },
            logger: Logger(label: "test.cards") { _ in SwiftLogNoOpLogHandler() }
        )
        try await app.run()
    }
}
