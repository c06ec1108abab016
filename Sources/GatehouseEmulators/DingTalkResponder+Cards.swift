import Foundation
import Hummingbird

/// The interactive card APIs (`/v1.0/card/…`) and their control endpoints (`/_emulator/cards`).
extension DingTalkResponder {
    func cardAPI(_ request: Request, path: String) async throws -> Response {
        switch (request.method, path) {
        case (.post, "/v1.0/card/instances/createAndDeliver"):
            try await authenticate(request)
            let answer = try await app.createCard(try await jsonBody(request), robotCode: configuration.robotCode)
            return EmulatorHTTP.json(.ok, answer)
        case (.put, "/v1.0/card/instances"):
            try await authenticate(request)
            try await app.updateCard(try await jsonBody(request))
            return EmulatorHTTP.json(.ok, .object(["success": .bool(true), "result": .bool(true)]))
        case (.post, "/v1.0/card/callbacks/register"):
            try await authenticate(request)
            return EmulatorHTTP.json(.ok, try await app.registerCardCallback(try await jsonBody(request)))
        default:
            throw DingTalkAPIError.notFound
        }
    }

    func cardControl(_ request: Request, path: String) async -> Response {
        switch (request.method, path) {
        case (.get, "/_emulator/cards"):
            let filter = EmulatorHTTP.queryPairs(of: request).first { $0.0 == "outTrackId" }?.1
            let cards = await app.allCards().filter { filter == nil || $0.outTrackId == filter }
            return EmulatorHTTP.json(.ok, encoding: cards)
        case (.post, "/_emulator/cards/click"):
            guard let body = await EmulatorHTTP.body(of: request),
                let click = try? JSONDecoder().decode(DingTalkEmulator.Click.self, from: Data(body))
            else {
                return controlError(.badRequest, #"expected {"outTrackId": "…", "userId": "…", "params": {"action": "approve"}}"#)
            }
            do {
                let result = try await DingTalkEmulator.click(click, app: app, hub: hub, corpID: configuration.corpID)
                return EmulatorHTTP.json(result.answered ? .ok : .gatewayTimeout, encoding: result)
            } catch {
                return controlError(.badRequest, error.detail)
            }
        case (_, "/_emulator/cards"), (_, "/_emulator/cards/click"):
            return controlError(.methodNotAllowed, "method not allowed")
        default:
            return controlError(.notFound, "unknown control endpoint")
        }
    }
}
