import AsyncHTTPClient
import DingTalkAdapter
import Foundation
import GatehouseCore
import GatehouseEmulators
import GatehouseTesting
import Logging
import Testing

/// The adapter against the independent DingTalk emulator on 127.0.0.1.
@Suite(.timeLimit(.minutes(2))) struct DingTalkAdapterLiveTests {
    static let desk = Channel(name: "desk", platform: "corp", address: .conversation("cidDesk=="))

    func withAdapter(
        secret: String = "live-test-secret",
        ackTimeout: Duration = .milliseconds(300),
        idleTimeout: Duration = .seconds(5),
        accessTokenLifetime: Int = 7200,
        customRobots: [DingTalkEmulator.CustomRobot] = [],
        staffIDs: Set<String>? = nil,
        _ body: (DingTalkAdapter, DingTalkEmulator) async throws -> Void
    ) async throws {
        var settings = DingTalkEmulator.Configuration(
            clientID: "dinglive",
            clientSecret: "live-test-secret",
            accessTokenLifetime: accessTokenLifetime,
            pingInterval: .milliseconds(200),
            ackTimeout: ackTimeout,
            rateLimits: false,
            customRobots: customRobots,
            staffIDs: staffIDs
        )
        settings.disconnectGrace = .milliseconds(600)
        let emulator = DingTalkEmulator(configuration: settings, logger: quietLogger("emulator"))
        try await withServices([emulator]) {
            let base = "http://127.0.0.1:\(try await emulator.port())"
            let adapter = DingTalkAdapter(
                configuration: .init(
                    platform: "corp",
                    clientID: "dinglive",
                    clientSecret: Secret(secret),
                    robotCode: "dinglive",
                    apiURL: base,
                    oapiURL: base,
                    reconnectBackoff: Backoff(minimum: .milliseconds(20), maximum: .milliseconds(200)),
                    idleTimeout: idleTimeout
                ),
                httpClient: HTTPClient.shared,
                logger: quietLogger("test")
            )
            try await body(adapter, emulator)
        }
    }

    @Test func aGroupSendReachesTheConversationWithItsProcessQueryKey() async throws {
        try await withAdapter { adapter, emulator in
            let keys = try await adapter.send(OutboundMessage(channel: Self.desk, text: "[外部 support] Li: 你好", idempotencyKey: "k"))
            let sent = await emulator.sent(conversation: "cidDesk==")
            #expect(sent.map(\.api) == ["groupMessages/send"])
            #expect(sent.map(\.msgKey) == ["sampleText"])
            #expect(sent.map(\.content) == ["[外部 support] Li: 你好"])
            #expect(keys == sent.compactMap(\.processQueryKey))
        }
    }

    @Test func markdownReachesTheConversationAsSampleMarkdown() async throws {
        try await withAdapter { adapter, emulator in
            _ = try await adapter.send(
                OutboundMessage(channel: Self.desk, text: "**Q3** is out", format: .markdown(title: "Q3"), idempotencyKey: "k")
            )
            let sent = await emulator.sent(conversation: "cidDesk==")
            #expect(sent.map(\.msgKey) == ["sampleMarkdown"])
            #expect(sent.map(\.content) == ["**Q3** is out"])
        }
    }

    @Test func formattedTextReachesTheConversationAsSampleMarkdown() async throws {
        try await withAdapter { adapter, emulator in
            // Bold and a link as markup; the literal `*` escaped; the line break kept.
            let spans = [Span(offset: 0, length: 2, style: .bold), Span(offset: 26, length: 10, style: .link("https://acme.example/q3"))]
            _ = try await adapter.send(
                OutboundMessage(channel: Self.desk, text: "Q3 is out: 2*3 growth\nsee the report", idempotencyKey: "k", spans: spans)
            )
            let sent = await emulator.sent(conversation: "cidDesk==")
            #expect(sent.map(\.msgKey) == ["sampleMarkdown"])
            #expect(sent.map(\.content) == [#"**Q3** is out: 2\*3 growth"# + "  \n  " + "see [the report](https://acme.example/q3)"])
        }
    }

    @Test func wrongCredentialsArePermanentAndTheSecretStaysOut() async throws {
        try await withAdapter(secret: "not-the-secret") { adapter, _ in
            do {
                _ = try await adapter.send(OutboundMessage(channel: Self.desk, text: "x", idempotencyKey: "k"))
                Issue.record("a send with wrong credentials succeeded")
            } catch let error as DeliveryError {
                #expect(!error.description.contains("not-the-secret"))
            }
        }
    }

    @Test func robotMessagesArriveOverStreamAndAnAcknowledgedOneIsNotPushedAgain() async throws {
        // A timeout a loaded machine's ACK still beats; the wait below outlasts it.
        try await withAdapter(ackTimeout: .seconds(2)) { adapter, emulator in
            try await withIntake(adapter) { seen in
                let id = try await emulator.inject(.init(conversationId: "cidAllHands==", senderStaffId: "m01", senderNick: "王经理", text: "Q3 is out"))
                #expect(await eventually { seen.values.map(\.body.text) == ["Q3 is out"] })
                // Well past the emulator's ACK timeout: still once.
                try await Task.sleep(for: .milliseconds(2500))
                #expect(seen.values.map(\.origin.eventID) == [id])
                #expect(seen.values.first?.sender == .init(id: "m01", name: "王经理"))
            }
        }
    }

    @Test func aRobotMessageWhoseCommitFailsIsTriedAgainByTheAdapter() async throws {
        // DingTalk pushes a robot message once: the adapter itself tries its commit again.
        try await withAdapter { adapter, emulator in
            let seen = Recorder<Envelope>()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await adapter.receive { events in
                        for event in events where seen.append(event.envelope) == 1 {
                            throw DeliveryError.unavailable("the ledger is busy")
                        }
                    }
                }
                defer { group.cancelAll() }
                let id = try await emulator.inject(.init(conversationId: "cidAllHands==", senderStaffId: "m01", text: "again"))
                #expect(await eventually { seen.values.map(\.origin.eventID) == [id, id] })
                #expect(await emulator.streamStats().callbacksPushed == 1)
            }
        }
    }

    @Test(arguments: [false, true])
    func theFirstAttemptCountsOnlyOnceWhatWaitedForTheConnectionIsCommitted(steadyTraffic: Bool) async throws {
        // DingTalk holds robot messages while no connection is open (a takeover's seconds) and
        // pushes them, once, as one opens: an instance is not ready while a kill would lose them.
        // After a takeover the traffic does not pause either: messages keep coming while the
        // backlog is committed, so the committer is never idle. Readiness waits for the backlog,
        // not for a quiet moment (a failover once took 11 s waiting for one).
        try await withAdapter { adapter, emulator in
            var waited: Set<String> = []
            for number in 1...20 {
                waited.insert(try await emulator.inject(.init(conversationId: "cidAllHands==", senderStaffId: "m01", text: "held \(number)")))
            }
            let committed = Recorder<String>()
            let started = try #require(adapter.started)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await adapter.receive { events in
                        // A slow ledger: each commit takes longer than the gap between two messages.
                        try await Task.sleep(for: .milliseconds(200))
                        for event in events {
                            _ = committed.append(event.envelope.origin.eventID)
                            try await event.acknowledgement()
                        }
                    }
                }
                if steadyTraffic {
                    group.addTask {
                        for number in 1... {
                            try await Task.sleep(for: .milliseconds(50))
                            _ = try await emulator.inject(.init(conversationId: "cidAllHands==", senderStaffId: "m01", text: "steady \(number)"))
                        }
                    }
                }
                defer { group.cancelAll() }
                #expect(await eventually(timeout: .seconds(5)) { started.hasFired })
                // By the time it fired, every held message was committed.
                #expect(Set(committed.values).isSuperset(of: waited))
            }
        }
    }

    @Test func standingDownClosesTheStreamTakesInWhatCameAndOpensNoOther() async throws {
        try await withAdapter { adapter, emulator in
            let seen = Recorder<Envelope>()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await adapter.receive { events in
                        for event in events {
                            _ = seen.append(event.envelope)
                            try await event.acknowledgement()
                        }
                    }
                }
                defer { group.cancelAll() }
                #expect(await eventually { await emulator.openConnections() == 1 })
                var pushed: Set<String> = []
                for number in 1...10 {
                    pushed.insert(try await emulator.inject(.init(conversationId: "cidAllHands==", senderStaffId: "m01", text: "last \(number)")))
                }
                #expect(adapter.standsDown)
                await adapter.standDown()
                // receive returns by itself, its connection closed, and no other opens.
                let ended = await eventually { await emulator.openConnections() == 0 }
                #expect(ended)
                try await group.next()
                let after = try await emulator.inject(.init(conversationId: "cidAllHands==", senderStaffId: "m01", text: "for someone else"))
                try await Task.sleep(for: .milliseconds(300))
                #expect(await emulator.openConnections() == 0 && !seen.values.contains { $0.origin.eventID == after })
                // What was pushed before the close was taken in; a push the server made while the
                // close was on its way would be listed as never acknowledged (so would one taken
                // in whose ACK could no longer be written on the closing connection).
                #expect(await Self.accounted(pushed, lost: nil, emulator, seen, exclusive: false))
                #expect(seen.values.count >= 1)
            }
        }
    }

    @Test func theAdapterReconnectsAfterTheServerSaysDisconnect() async throws {
        try await withAdapter { adapter, emulator in
            try await withIntake(adapter) { seen in
                #expect(await eventually { await emulator.openConnections() == 1 })
                await emulator.disconnectAll()
                _ = try await emulator.inject(.init(conversationId: "cidAllHands==", senderStaffId: "m01", text: "after reconnect"))
                #expect(await eventually { seen.values.map(\.body.text) == ["after reconnect"] })
            }
        }
    }

    @Test func aDisconnectUnderSteadyLoadLosesNothingAndTheNextConnectionOpensFirst() async throws {
        try await withAdapter { adapter, emulator in
            try await withIntake(adapter) { seen in
                #expect(await eventually { await emulator.openConnections() == 1 })
                var sent: [String] = []
                for number in 1...40 {
                    if number == 15 { await emulator.disconnectAll() }
                    sent.append(try await emulator.inject(.init(conversationId: "cidAllHands==", senderStaffId: "m01", text: "update \(number)")))
                    try await Task.sleep(for: .milliseconds(25))
                }
                #expect(await eventually { Set(seen.values.map(\.origin.eventID)) == Set(sent) })
                // Each once — but for a push the server made again because its ACK came late (a
                // busy machine), which inbound dedup absorbs — and the next connection was open
                // before the old one closed.
                let stats = await emulator.streamStats()
                #expect(seen.values.count - 40 <= stats.redeliveries)
                #expect(stats.connectionsOpened >= 2 && stats.mostOpenAtOnce >= 2)
            }
        }
    }

    @Test func aZombieConnectionIsDetectedAndReplaced() async throws {
        try await withAdapter(idleTimeout: .milliseconds(800)) { adapter, emulator in
            try await withIntake(adapter) { seen in
                #expect(await eventually { await emulator.openConnections() == 1 })
                // The connection stays open, but nothing comes through it any more: no ping, no push.
                await emulator.makeZombies()
                let swallowed = try await emulator.inject(.init(conversationId: "cidAllHands==", senderStaffId: "m01", text: "into the fog"))
                // The watchdog closes the silent connection and a new one opens.
                #expect(await eventually(timeout: .seconds(10)) { await emulator.streamStats().connectionsOpened >= 2 })
                // The server, which cannot tell, still pushes to the zombie now and then (one of
                // the open connections at random): messages go on until one comes through.
                let later = try await injectUntilOneArrives(emulator, seen)
                let pushed = Set(later).union([swallowed])
                #expect(Set(seen.values.map(\.origin.eventID)).isStrictSubset(of: pushed))
                // DingTalk pushes a robot message once: what the zombie swallowed is lost, and the
                // platform's side shows exactly those as never acknowledged.
                #expect(!seen.values.map(\.origin.eventID).contains(swallowed))
                #expect(await eventually { await Self.accounted(pushed, lost: swallowed, emulator, seen) })
            }
        }
    }

    /// Whether every pushed message was either taken in or is listed as never acknowledged (not
    /// both), `lost`, if given, among the latter.
    private static func accounted(
        _ pushed: Set<String>,
        lost: String?,
        _ emulator: DingTalkEmulator,
        _ seen: Recorder<Envelope>,
        exclusive: Bool = true
    ) async -> Bool {
        let unacknowledged = Set(await emulator.unacknowledged().compactMap(\.msgId)).intersection(pushed)
        let taken = Set(seen.values.map(\.origin.eventID))
        return lost.map(unacknowledged.contains) ?? true && unacknowledged.union(taken) == pushed
            && (!exclusive || unacknowledged.isDisjoint(with: taken))
    }

    /// Injects messages until one of them is taken in (or 20 were sent); their ids.
    private func injectUntilOneArrives(_ emulator: DingTalkEmulator, _ seen: Recorder<Envelope>) async throws -> [String] {
        var sent: [String] = []
        for number in 1...20 {
            let id = try await emulator.inject(.init(conversationId: "cidAllHands==", senderStaffId: "m01", text: "through the fog \(number)"))
            sent.append(id)
            let arrived = await eventually(timeout: .seconds(1)) { seen.values.contains { $0.origin.eventID == id } }
            if arrived { break }
        }
        return sent
    }
}
