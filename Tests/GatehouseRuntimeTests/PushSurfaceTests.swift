import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GatehouseRuntime

/// The push door driven without a socket (Hummingbird's router test mode): what is answered,
/// when, and what reaches the ledger.
@Suite(.timeLimit(.minutes(1))) struct PushSurfaceTests {
    typealias Hook = AdversarialListenerTests.Hook

    /// Runs `body` against the door's routes, intake running (its config recorded) unless `open` is false.
    func withDoor(
        _ hook: Hook,
        ledger: any Ledger,
        open: Bool = true,
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let door = try AdversarialListenerTests.door(hook, ledger: ledger)
        let router = Hummingbird.Router(context: ListenerContext.self)
        router.addRoutes(door.routes())
        let application = Application(router: router)
        if open {
            try await withServices([door.intake]) {
                #expect(await eventually { door.intake.configRecorded.hasFired })
                try await application.test(.router, body)
            }
        } else {
            try await application.test(.router, body)
        }
    }

    static func headers(secret: String = "right", token: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [HTTPField.Name("x-secret")!: secret]
        if let token { fields[HTTPField.Name("x-token")!] = token }
        return fields
    }

    static func push(_ client: any TestClientProtocol, _ text: String, token: String? = nil, secret: String = "right") async throws -> Int {
        try await client.execute(uri: "/hooks/corp", method: .post, headers: headers(secret: secret, token: token), body: ByteBuffer(string: text)) {
            Int($0.status.code)
        }
    }

    @Test func aPushIsAnsweredOKOnlyOnceItsCrossingIsCommitted() async throws {
        let ledger = FlakyLedger(try Fixtures.memoryLedger())
        try await withDoor(Hook(platform: "corp"), ledger: ledger) { (client: any TestClientProtocol) async throws in
            #expect(try await Self.push(client, "first") == 200)
            // A commit failing for a moment is tried again before the platform is told anything.
            ledger.failNextCommits(1)
            #expect(try await Self.push(client, "second") == 200)
            // One that keeps failing is answered 500: the platform pushes it again later.
            ledger.failNextCommits(PushSurface.commitAttempts)
            #expect(try await Self.push(client, "third") == 500)
            #expect(try await Self.push(client, "third") == 200)
            #expect(try await Self.push(client, "{}") == 200)
        }
        let crossings = try await ledger.records(from: 1, limit: 100).filter { $0.kind == .crossing }
        #expect(crossings.map(\.origin?.messageID) == ["first", "second", "third"])
    }

    @Test func aOneUseTokenIsRefusedOnItsHeadersTheSecondTimeAndGivenBackWhenNotCommitted() async throws {
        let hook = Hook(platform: "corp")
        let ledger = FlakyLedger(try Fixtures.memoryLedger())
        try await withDoor(hook, ledger: ledger) { (client: any TestClientProtocol) async throws in
            ledger.failNextCommits(PushSurface.commitAttempts)
            #expect(try await Self.push(client, "a", token: "1") == 500)
            // Not committed: the platform's retry with the same token is taken.
            #expect(try await Self.push(client, "a", token: "1") == 200)
            // Replayed headers with another body: refused before the body is read.
            #expect(try await Self.push(client, "wire the money", token: "1") == 401)
            #expect(try await Self.push(client, "b", token: "2") == 200)
            // Even a push that carried nothing used its token.
            #expect(try await Self.push(client, "{}", token: "3") == 200)
            #expect(try await Self.push(client, "c", token: "3") == 401)
        }
        #expect(hook.bodies.withLock { $0 } == 4)
        let crossings = try await ledger.records(from: 1, limit: 100).filter { $0.kind == .crossing }
        #expect(crossings.map(\.origin?.messageID) == ["a", "b"])
    }

    @Test func aPushBeforeIntakeRecordedItsConfigIsAnswered503AndKeepsItsToken() async throws {
        let hook = Hook(platform: "corp")
        let ledger = try Fixtures.memoryLedger()
        try await withDoor(hook, ledger: ledger, open: false) { (client: any TestClientProtocol) async throws in
            #expect(try await Self.push(client, "early", token: "1") == 503)
            #expect(try await Self.push(client, "early", token: "1") == 503)
            // Refusals come before: a forged push is still told so.
            #expect(try await Self.push(client, "early", secret: "wrong") == 401)
        }
        #expect(try await ledger.records(from: 1, limit: 10).isEmpty)
        #expect(hook.bodies.withLock { $0 } == 2)
    }
}
