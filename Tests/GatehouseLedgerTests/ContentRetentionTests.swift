import Foundation
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Testing

/// The content store: bodies kept apart from the leaves, committed to by HMAC, erased by retention
/// with an audited record, and the log still verifying afterwards.
@Suite struct ContentRetentionTests {
    let day: TimeInterval = 86_400
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    func commit(_ ledger: SQLLedger, _ id: String, _ text: String, verdict: Verdict = .forward, daysAgo: Double) async throws -> AuditRecord {
        let result = try await ledger.commit(
            Intake(
                envelope: Fixtures.envelope(platform: "corp", conversation: "cid", messageID: id, text: text),
                crossings: [
                    Crossing(route: "r", source: "src", destination: "news", direction: .outbound, verdict: verdict, findings: [], text: "» \(text)")
                ],
                configRevision: "rev",
                receivedAt: start.addingTimeInterval(-daysAgo * day)
            )
        )
        guard case .committed(let records, _) = result else {
            Issue.record("not committed")
            return try #require(nil as AuditRecord?)
        }
        return try #require(records.first)
    }

    func content(_ log: TestLedger, _ record: Int64) async throws -> SQLRow? {
        try await log.rows("SELECT received, decided FROM content WHERE record = ?", [record]).first
    }

    @Test(arguments: LedgerBackend.available) func aLeafCommitsToTheBodiesWithoutHoldingThem(_ backend: LedgerBackend) async throws {
        let key = ContentKey.ephemeral()
        let log = try await backend.open(contentKey: key)
        let ledger = log.ledger
        let record = try await commit(ledger, "m1", "quarterly numbers: 42", daysAgo: 0)
        let leaf = String(decoding: try record.leaf(), as: UTF8.self)
        #expect(!leaf.contains("quarterly"))
        let hmac = try #require(record.contentHMAC)
        #expect(key.isCommitment(hmac.received, to: "quarterly numbers: 42"))
        #expect(key.isCommitment(hmac.decided, to: "» quarterly numbers: 42"))
        #expect(!key.isCommitment(hmac.received, to: "quarterly numbers: 43"))
        // Without the key, a guess cannot be confirmed: another key gives another commitment.
        #expect(!ContentKey.ephemeral().isCommitment(hmac.received, to: "quarterly numbers: 42"))
        #expect(try await content(log, record.sequence)?["received"] == "quarterly numbers: 42")
    }

    @Test func theKeyIsDerivedFromTheSigningKeyAndStable() throws {
        let generated = try NoteSigner.generate(name: "acme.example/gatehouse")
        let reparsed = try NoteSigner(parsing: generated.privateKey)
        let commitment = ContentKey(derivedFrom: generated.signer).commitment(to: "hello")
        #expect(ContentKey(derivedFrom: reparsed).isCommitment(commitment, to: "hello"))
        let other = try NoteSigner.generate(name: "acme.example/gatehouse").signer
        #expect(!ContentKey(derivedFrom: other).isCommitment(commitment, to: "hello"))
    }

    @Test(arguments: LedgerBackend.available) func expiredContentIsErasedAuditedAndTheLogStillVerifies(_ backend: LedgerBackend) async throws {
        let key = try NoteSigner.generate(name: "acme.example/gatehouse")
        let log = try await backend.open(contentKey: ContentKey(derivedFrom: key.signer))
        let ledger = log.ledger
        let old = try await commit(ledger, "m1", "old", verdict: .block, daysAgo: 500)
        let oldDelivered = try await commit(ledger, "m2", "old but delivered", daysAgo: 450)
        let recent = try await commit(ledger, "m3", "recent", daysAgo: 10)
        let job = try #require(try await ledger.head(of: "news"))
        #expect(job.crossing == oldDelivered.sequence)
        _ = try await ledger.recordDelivered(job, nativeIDs: ["7"], at: start)
        _ = try await ledger.checkpoint(origin: "acme.example/gatehouse", signer: key.signer, at: start)

        let erased = try await ledger.eraseContent(
            before: start.addingTimeInterval(-400 * day),
            reason: "retention: keep_content 400d",
            at: start,
            limit: 100
        )
        #expect(erased.map(\.crossing) == [old.sequence, oldDelivered.sequence])
        #expect(erased.allSatisfy { $0.kind == .contentErased && $0.reason == "retention: keep_content 400d" })
        #expect(try await content(log, old.sequence) == nil)
        #expect(try await content(log, oldDelivered.sequence) == nil)
        #expect(try await content(log, recent.sequence)?["received"] == "recent")
        // The delivered job's copy of the body goes too.
        let texts = try await log.rows("SELECT text FROM outbox WHERE crossing = ?", [oldDelivered.sequence]).map { $0["text"] as String }
        #expect(texts == [""])
        // Nothing left to erase: a second sweep writes no record.
        #expect(try await ledger.eraseContent(before: start.addingTimeInterval(-400 * day), reason: "r", at: start, limit: 100).isEmpty)

        _ = try await ledger.checkpoint(origin: "acme.example/gatehouse", signer: key.signer, at: start)
        let verification = try log.reader.verify(verifiers: [key.signer.verifier], origin: "acme.example/gatehouse")
        #expect(verification.intact)
        #expect(verification.records == 6 && verification.checkpoints == 2)
    }

    @Test(arguments: LedgerBackend.available) func contentStillOwedToADestinationIsKeptUntilItsJobEnds(_ backend: LedgerBackend) async throws {
        let log = try await backend.open(contentKey: .ephemeral())
        let ledger = log.ledger
        let queued = try await commit(ledger, "m1", "still queued", daysAgo: 500)
        let cutoff = start.addingTimeInterval(-400 * day)
        #expect(try await ledger.eraseContent(before: cutoff, reason: "r", at: start, limit: 100).isEmpty)
        #expect(try await content(log, queued.sequence) != nil)
        let job = try #require(try await ledger.head(of: "news"))
        _ = try await ledger.recordDead(job, reason: "rejected", at: start)
        #expect(try await ledger.eraseContent(before: cutoff, reason: "r", at: start, limit: 100).map(\.crossing) == [queued.sequence])
    }

    @Test(arguments: LedgerBackend.available) func erasureProceedsInBatchesOldestFirst(_ backend: LedgerBackend) async throws {
        let log = try await backend.open(contentKey: .ephemeral())
        let ledger = log.ledger
        for index in 0..<5 { _ = try await commit(ledger, "m\(index)", "t\(index)", verdict: .block, daysAgo: Double(500 - index)) }
        let cutoff = start.addingTimeInterval(-400 * day)
        #expect(try await ledger.eraseContent(before: cutoff, reason: "r", at: start, limit: 2).map(\.crossing) == [1, 2])
        #expect(try await ledger.eraseContent(before: cutoff, reason: "r", at: start, limit: 2).map(\.crossing) == [3, 4])
        #expect(try await ledger.eraseContent(before: cutoff, reason: "r", at: start, limit: 2).map(\.crossing) == [5])
    }

    @Test(arguments: LedgerBackend.available) func changedContentIsCaughtByItsCommitmentAndTheKeyTravelsAsText(_ backend: LedgerBackend) async throws
    {
        let signing = try NoteSigner.generate(name: "acme.example/gatehouse")
        let key = ContentKey(derivedFrom: signing.signer)
        let log = try await backend.open(contentKey: key)
        let ledger = log.ledger
        for index in 1...3 { _ = try await commit(ledger, "m\(index)", "body \(index)", verdict: .block, daysAgo: 0) }
        // An auditor gets the content key as text, not the signing key it comes from.
        let auditorKey = try ContentKey(parsing: key.text.value)
        #expect(try ContentKey(parsing: signing.privateKey.value).text.value == key.text.value)
        let intact = try log.reader.verifyContent(key: auditorKey)
        #expect(intact.problem == nil && intact.checked == 3)
        // The content store is not append-only (retention erases it), so it can be rewritten;
        // the rewrite does not match what the leaf committed to.
        try await log.execute("UPDATE content SET decided = 'something else' WHERE record = 2")
        let broken = try log.reader.verifyContent(key: auditorKey)
        #expect(broken.problem?.record == 2 && broken.checked == 1)
        #expect(broken.problem?.reason.contains("decided content of record 2 was changed") == true)
        // Another key cannot vouch for the content either way.
        #expect(try log.reader.verifyContent(key: .ephemeral()).problem?.record == 1)
        #expect(throws: NoteError.self) { try ContentKey(parsing: "CONTENT+KEY+short") }
    }

    @Test(arguments: LedgerBackend.available) func aPayloadTravelsWithItsJobAndTheCommitmentCoversIt(_ backend: LedgerBackend) async throws {
        let key = ContentKey.ephemeral()
        let log = try await backend.open(contentKey: key)
        let ledger = log.ledger
        var envelope = Fixtures.envelope(platform: "tg", conversation: "-100", messageID: "7", text: "see the report")
        envelope.body.spans = [Span(offset: 8, length: 6, style: .link("https://acme.example/q3"))]
        envelope.attachments = [Envelope.Attachment(reference: "file-1", name: "q3.pdf", mimeType: "application/pdf", bytes: 1234)]
        envelope.replyTo = "6"
        let crossing = Crossing(
            route: "r",
            source: "src",
            destination: "news",
            direction: .lateral,
            verdict: .forward,
            findings: [],
            text: "» see the report",
            spans: [Span(offset: 10, length: 6, style: .link("https://acme.example/q3"))],
            attachments: envelope.attachments
        )
        let result = try await ledger.commit(Intake(envelope: envelope, crossings: [crossing], configRevision: "rev", receivedAt: start))
        guard case .committed(_, let jobs) = result else {
            Issue.record("not committed")
            return
        }
        let expected = Payload(spans: crossing.spans, attachments: envelope.attachments, replyTo: "6")
        #expect(jobs.first?.payload == expected)
        // Read back from the outbox as the dispatcher reads it.
        #expect(try await ledger.head(of: "news")?.payload == expected)
        #expect(try log.reader.verifyContent(key: key).checked == 1)
        // The hidden link target is content: pointing it elsewhere breaks the commitment.
        try await log.execute("UPDATE content SET decided_payload = replace(decided_payload, 'acme.example', 'evil.example')")
        let broken = try log.reader.verifyContent(key: key)
        #expect(broken.problem?.record == 1)
        #expect(broken.problem?.reason.contains("decided content") == true)
    }

    @Test func aBodyWithoutPayloadCommitsAsBefore() {
        // Ledgers written before payloads existed verify unchanged: no payload, the text's HMAC alone.
        let key = ContentKey.ephemeral()
        #expect(key.commitment(to: "hi", payload: nil) == key.commitment(to: "hi"))
        #expect(key.commitment(to: "hi", payload: "{}") != key.commitment(to: "hi"))
        // The text's length is bound in: bytes cannot move between text and payload.
        #expect(key.commitment(to: "hi{", payload: "}") != key.commitment(to: "hi", payload: "{}"))
        #expect(Payload().stored == nil)
        // Nor can a bare text be made of a framed text and payload: a text bearing the frame's tag
        // is framed itself.
        let framedLooking = "gatehouse-content/v2\u{0}" + String(repeating: "\u{0}", count: 7) + "\u{2}hi{}"
        #expect(key.commitment(to: framedLooking) != key.commitment(to: "hi", payload: "{}"))
        #expect(key.isCommitment(key.commitment(to: framedLooking), to: framedLooking))
    }
}
