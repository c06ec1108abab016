import Foundation
import GRDB
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Testing

@Suite struct SQLLedgerTests {
    func intake(_ envelope: Envelope, _ crossings: [(String, Verdict)]) -> Intake {
        Intake(
            envelope: envelope,
            crossings: crossings.map { destination, verdict in
                Crossing(
                    route: "r",
                    source: "src",
                    destination: destination,
                    direction: .outbound,
                    verdict: verdict,
                    findings: [],
                    text: "» \(envelope.body.text)"
                )
            },
            configRevision: "rev1",
            receivedAt: Date(timeIntervalSince1970: 1_790_000_000.123)
        )
    }

    @Test(arguments: LedgerBackend.available) func aCommitRecordsEveryCrossingAndQueuesOnlyTheOnesThatDeliver(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let envelope = Fixtures.envelope(platform: "corp", conversation: "cid", messageID: "m1", text: "hello")
        guard case .committed(let records, let jobs) = try await ledger.commit(intake(envelope, [("news", .forward), ("vault", .block)])) else {
            Issue.record("not committed")
            return
        }
        #expect(records.map(\.sequence) == [1, 2])
        #expect(records.map(\.verdict) == [.forward, .block])
        #expect(records.first?.origin?.eventID == "m1")
        #expect(records.first?.configRevision == "rev1")
        #expect(jobs.map(\.destination) == ["news"])
        #expect(jobs.first?.text == "» hello")
        #expect(try await ledger.head(of: "news")?.id == jobs.first?.id)
        #expect(try await ledger.head(of: "vault") == nil)
    }

    @Test(arguments: LedgerBackend.available) func aRedeliveredEventIsRecognisedAndWritesNothing(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let envelope = Fixtures.envelope(platform: "corp", conversation: "cid", messageID: "m1", text: "hello")
        _ = try await ledger.commit(intake(envelope, [("news", .forward)]))
        #expect(try await ledger.commit(intake(envelope, [("news", .forward)])) == .duplicate)
        #expect(try await ledger.records(from: 1, limit: 100).count == 1)
        #expect(try await ledger.jobs(in: .pending, limit: 100).count == 1)
        // The same message id on another platform is another event.
        var other = envelope
        other.origin.platform = "tg"
        guard case .committed = try await ledger.commit(intake(other, [("news", .forward)])) else {
            Issue.record("an event from another platform was taken for a duplicate")
            return
        }
    }

    @Test(arguments: LedgerBackend.available) func outcomesAreAuditedAndDeliveredJobsLeaveTheQueueInOrder(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        for id in ["m1", "m2"] {
            _ = try await ledger.commit(
                intake(Fixtures.envelope(platform: "corp", conversation: "cid", messageID: id, text: id), [("news", .forward)])
            )
        }
        let first = try #require(try await ledger.head(of: "news"))
        #expect(first.originMessage == "m1")

        let retryAt = Date().addingTimeInterval(60)
        let deferred = try await ledger.recordDeferred(first, reason: "unavailable: 502", retryAt: retryAt, at: Date())
        #expect(deferred.kind == .delivery && deferred.outcome == .deferred && deferred.crossing == first.crossing && deferred.attempt == 1)
        // The head stays the head while deferred: later jobs wait, so the destination receives in order.
        let again = try #require(try await ledger.head(of: "news"))
        #expect(again.id == first.id && again.state == .deferred && again.attempts == 1)
        #expect(abs((again.notBefore ?? .distantPast).timeIntervalSince(retryAt)) < 0.01)

        let delivered = try await ledger.recordDelivered(again, nativeIDs: ["11", "12"], at: Date())
        #expect(delivered.outcome == .delivered && delivered.nativeIDs == ["11", "12"] && delivered.attempt == 2)
        #expect(try await ledger.nativeIDs(platform: "corp", conversation: "cid", message: "m1", destination: "news") == ["11", "12"])
        #expect(try await ledger.head(of: "news")?.originMessage == "m2")

        let second = try #require(try await ledger.head(of: "news"))
        let dead = try await ledger.recordDead(second, reason: "rejected: chat not found", at: Date())
        #expect(dead.outcome == .dead && dead.reason == "rejected: chat not found")
        #expect(try await ledger.head(of: "news") == nil)
        #expect(try await ledger.jobs(in: .dead, limit: 10).map(\.originMessage) == ["m2"])
        #expect(try await ledger.records(from: 1, limit: 100).map(\.sequence) == [1, 2, 3, 4, 5])
    }

    @Test(arguments: LedgerBackend.available) func aLeasedJobStaysTheHeadInflightUntilItsOutcome(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        _ = try await ledger.commit(
            intake(Fixtures.envelope(platform: "corp", conversation: "cid", messageID: "m1", text: "a"), [("news", .forward), ("vault", .hold)])
        )
        let job = try #require(try await ledger.head(of: "news"))
        let until = Date().addingTimeInterval(300)
        let leased = try await ledger.lease(job, until: until)
        #expect(leased.state == .inflight)
        let head = try #require(try await ledger.head(of: "news"))
        #expect(head.id == job.id && head.state == .inflight && abs((head.leasedUntil ?? .distantPast).timeIntervalSince(until)) < 0.01)
        _ = try await ledger.recordDelivered(head, nativeIDs: ["1"], at: Date())
        #expect(try await ledger.jobs(in: .delivered, limit: 10).first?.leasedUntil == nil)
        // A held job is no destination's head, and cannot be leased.
        #expect(try await ledger.head(of: "vault") == nil)
        let held = try #require(try await ledger.jobs(in: .held, limit: 10).first)
        await #expect(throws: LedgerError.self) { try await ledger.lease(held, until: until) }
    }

    @Test(arguments: LedgerBackend.available) func aConfigLoadIsARecordOfItsOwn(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let record = try await ledger.recordConfigLoaded(
            revision: "abc123",
            file: "/etc/gatehouse/gatehouse.yaml",
            by: nil,
            at: Date(timeIntervalSince1970: 1_790_000_000)
        )
        #expect(record.sequence == 1 && record.kind == .configLoaded && record.configRevision == "abc123")
        #expect(
            String(decoding: try record.leaf(), as: UTF8.self)
                == #"{"config_revision":"abc123","kind":"config_loaded","reason":"/etc/gatehouse/gatehouse.yaml","sequence":1,"time":"2026-09-21T14:13:20.000Z"}"#
        )
    }

    @Test(arguments: LedgerBackend.available) func aConsoleSignInIsARecordNamingThePerson(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let person = ReviewerIdentity(via: .dingtalk, id: "m01", name: "王经理", departments: ["合规部"], platform: "corp")
        let record = try await ledger.recordConsoleAccess("signed in as reviewer", by: person, at: Date(timeIntervalSince1970: 1_790_000_000))
        let refused = try await ledger.recordConsoleAccess(
            "sign-in refused: no console role",
            by: nil,
            at: Date(timeIntervalSince1970: 1_790_000_001)
        )
        #expect(record.kind == .consoleAccess && record.reviewer == person && refused.reviewer == nil)
        #expect(
            String(decoding: try record.leaf(), as: UTF8.self)
                == #"{"approver":"王经理 (m01, 合规部)","kind":"console_access","reason":"signed in as reviewer","reviewer":{"department":"合规部","id":"m01","name":"王经理","platform":"corp","via":"dingtalk"},"sequence":1,"time":"2026-09-21T14:13:20.000Z"}"#
        )
        #expect(try await ledger.records(from: 1, limit: 10).map(\.reason) == ["signed in as reviewer", "sign-in refused: no console role"])
    }

    @Test(arguments: LedgerBackend.available) func theAuditLogIsAppendOnly(_ backend: LedgerBackend) async throws {
        let log = try await backend.open()
        _ = try await log.ledger.commit(intake(Fixtures.envelope(platform: "corp", conversation: "cid", text: "x"), [("news", .forward)]))
        _ = try await log.ledger.checkpoint(origin: "o", signer: try NoteSigner.generate(name: "o").signer, at: Date())
        // The database itself refuses, whoever asks.
        var statements = [
            "UPDATE audit_record SET verdict = 'block'", "DELETE FROM audit_record", "UPDATE audit_leaf_hash SET hash = hash",
            "DELETE FROM audit_leaf_hash", "UPDATE checkpoint SET note = ''", "DELETE FROM checkpoint",
        ]
        if backend == .postgres { statements += ["TRUNCATE audit_record CASCADE", "TRUNCATE checkpoint"] }
        for statement in statements {
            await #expect(throws: (any Error).self, "\(statement)") { try await log.execute(statement) }
        }
        #expect(try await log.ledger.auditSizes() == (1, 1))
    }

    @Test func leavesAreCanonicalJSONWithoutContent() throws {
        let record = AuditRecord(
            sequence: 7,
            time: Date(timeIntervalSince1970: 1_790_000_000.5),
            kind: .crossing,
            route: "announcements",
            direction: .outbound,
            origin: .init(platform: "corp", channel: "all-hands", conversation: "cid", messageID: "m", eventID: "m", senderID: "u"),
            destination: "news",
            verdict: .forward,
            findings: [Finding(check: "pii", detector: "cn_mobile", offset: 3, length: 11)],
            configRevision: "abc"
        )
        let leaf = try record.leaf()
        #expect(
            String(decoding: leaf, as: UTF8.self)
                == #"{"config_revision":"abc","destination":"news","direction":"outbound","findings":[{"check":"pii","detector":"cn_mobile","length":11,"offset":3}],"kind":"crossing","origin":{"channel":"all-hands","conversation":"cid","event_id":"m","message_id":"m","platform":"corp","sender_id":"u"},"route":"announcements","sequence":7,"time":"2026-09-21T14:13:20.500Z","verdict":"forward"}"#
        )
        #expect(try AuditRecord.decode(leaf: leaf) == record)
        #expect(AuditRecord.sequence(inLeaf: leaf) == 7)
        #expect(AuditRecord.sequence(inLeaf: Data(#"{"kind":"crossing"}"#.utf8)) == nil)
    }

    @Test func aNonceIsTakenOnceWithItsCommitAndStaysTakenAfterARestart() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func signed(_ id: String) -> Intake {
            var intake = intake(Fixtures.envelope(platform: "corp", conversation: "cid", messageID: id, text: "from \(id)"), [("news", .forward)])
            intake.nonce = "callback-timestamp:1790000000123"
            return intake
        }
        do {
            let ledger = try SQLLedger(directory: directory, contentKey: .ephemeral())
            guard case .committed = try await ledger.commit(signed("m1")) else {
                Issue.record("not committed")
                return
            }
            // Another event under the same signed token: a replay, and nothing of it is written.
            #expect(try await ledger.commit(signed("m2")) == .replayed)
            // In a group with others, it fails alone.
            let other = intake(Fixtures.envelope(platform: "corp", conversation: "cid", messageID: "m3", text: "fine"), [("news", .forward)])
            let results = try await ledger.commit([signed("m4"), other])
            #expect(try results[0].get() == .replayed)
            guard case .committed = try results[1].get() else {
                Issue.record("the other event was not committed")
                return
            }
        }
        let reopened = try SQLLedger(directory: directory, contentKey: .ephemeral())
        #expect(try await reopened.commit(signed("m5")) == .replayed)
        #expect(try await reopened.records(from: 1, limit: 100).compactMap(\.origin?.messageID) == ["m1", "m3"])
    }

    @Test func aLedgerOnDiskSurvivesReopening() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let envelope = Fixtures.envelope(platform: "corp", conversation: "cid", messageID: "m1", text: "persist me")
        do {
            let ledger = try SQLLedger(directory: directory, contentKey: .ephemeral())
            _ = try await ledger.commit(intake(envelope, [("news", .forward)]))
        }
        let reopened = try SQLLedger(directory: directory, contentKey: .ephemeral())
        #expect(try await reopened.commit(intake(envelope, [("news", .forward)])) == .duplicate)
        #expect(try await reopened.head(of: "news")?.text == "» persist me")
        #expect(FileManager.default.fileExists(atPath: directory + "/ledger.sqlite-wal"))
    }
}

@Suite struct HoldDecisionTests {
    func held(_ ledger: SQLLedger, _ id: String) async throws -> OutboxJob {
        _ = try await ledger.commit(
            Intake(
                envelope: Fixtures.envelope(platform: "corp", conversation: "cid", messageID: id, text: id),
                crossings: [Crossing(route: "r", source: "src", destination: "news", direction: .outbound, verdict: .hold, findings: [], text: id)],
                configRevision: "rev",
                receivedAt: Date()
            )
        )
        return try #require(try await ledger.jobs(in: .held, limit: 100).first { $0.originMessage == id })
    }

    @Test(arguments: LedgerBackend.available) func anApprovedHoldJoinsTheQueueAndTheDecisionIsAudited(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let job = try await held(ledger, "m1")
        #expect(try await ledger.head(of: "news") == nil)
        let liWei = ReviewerIdentity(via: .unix, id: "1000", name: "li.wei")
        let record = try #require(try await ledger.vote(job, by: liWei, approve: true, reason: "checked with legal", needed: 1, at: Date()).record)
        #expect(
            record.kind == .holdApproved && record.crossing == job.crossing && record.approver == "uid 1000 (li.wei)"
                && record.reason == "checked with legal"
        )
        #expect(try await ledger.head(of: "news")?.id == job.id)
        // A decision is made once.
        #expect(try await ledger.vote(job, by: .root, approve: false, reason: "y", needed: 1, at: Date()) == .notHeld)
    }

    @Test(arguments: LedgerBackend.available) func aRejectedHoldIsNeverDelivered(_ backend: LedgerBackend) async throws {
        let ledger = try await backend.ledger()
        let job = try await held(ledger, "m1")
        let record = try #require(
            try await ledger.vote(
                job,
                by: ReviewerIdentity(via: .unix, id: "1001"),
                approve: false,
                reason: "contains a client name",
                needed: 1,
                at: Date()
            ).record
        )
        #expect(record.kind == .holdRejected && record.approver == "uid 1001")
        #expect(try await ledger.head(of: "news") == nil)
        #expect(try await ledger.jobs(in: .cancelled, limit: 10).map(\.id) == [job.id])
    }
}
