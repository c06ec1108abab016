import ArgumentParser
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import Testing

@testable import GatehouseCommands

/// `gatehouse desk tickets` and `desk show N` against a running gateway's admin socket.
@Suite(.timeLimit(.minutes(1))) struct DeskCommandTests {
    let socket = FileManager.default.temporaryDirectory.appendingPathComponent("gh-desk-\(UUID().uuidString.prefix(8)).sock").path
    let ledger = FlakyLedger(try! Fixtures.memoryLedger())
    let corp = FakeAdapter(platform: "corp")
    let tg = FakeAdapter(platform: "tg")

    var yaml: String {
        fakePlatformsYAML(socket: socket) + """
            channels:
              customers: { platform: tg, chat: private }
              desk: { platform: corp, conversation: cidDesk }
            checks:
              pii: { detect: [cn_mobile] }
            routes:
              - { name: desk-in, from: customers, to: [desk], template: "[{ticket} {sender.name}] {text}" }
              - { name: desk-out, from: desk, to: [customers], on: { pii: redact } }
            """
    }

    @Test func theTicketsAndAConversationAsDecided() async throws {
        let config = try ConfigLoader(environment: [:]).load(yaml: yaml, file: "desk.yaml")
        let gateway = Gateway(config: config, ledger: ledger, adapters: [corp, tg], logger: quietLogger("test"))
        try await withServices(gateway.services) {
            #expect(await eventually { FileManager.default.fileExists(atPath: socket) })
            var question = Fixtures.envelope(
                platform: "tg",
                conversation: "7001",
                messageID: "5",
                text: "where is my order?",
                sender: "7001",
                senderName: "Li"
            )
            question.labels = [Channel.privateLabel]
            tg.post(question)
            #expect(await eventually { corp.sent.count == 1 })
            corp.post(
                Fixtures.envelope(
                    platform: "corp",
                    conversation: "cidDesk",
                    messageID: "d1",
                    text: "#1001 call 13812345678",
                    sender: "s01",
                    senderName: "Wang"
                )
            )
            #expect(await eventually { tg.sent.count == 1 })

            let client = AdminClient(socket: socket)
            let open: [AdminWire.TicketRow] = try await client.get("/desk/tickets?state=open")
            #expect(open.map(\.number) == [1001])
            #expect(open.first?.name == "Li" && open.first?.chat == "7001" && open.first?.firstResponseAt != nil)
            let closed: [AdminWire.TicketRow] = try await client.get("/desk/tickets?state=closed")
            #expect(closed.isEmpty)
            let detail: AdminWire.TicketDetail = try await client.get("/desk/tickets/1001")
            #expect(detail.entries.map(\.route) == ["desk-in", "desk-out"])
            #expect(detail.entries.map(\.text) == ["[#1001 Li] where is my order?", "call [REDACTED:cn_mobile]"])
            #expect(detail.entries.map(\.verdict) == ["forward", "redact"])
            // The commands read the same answers.
            try await (try #require(try GatehouseCommand.parseAsRoot(["desk", "tickets", "--state", "open", "--socket", socket]) as? Desk.Tickets))
                .run()
            try await (try #require(try GatehouseCommand.parseAsRoot(["desk", "show", "1001", "--socket", socket]) as? Desk.Show)).run()
            await #expect(throws: (any Error).self) {
                let missing: AdminWire.TicketDetail = try await client.get("/desk/tickets/4242")
                _ = missing
            }
        }
    }
}

extension DeskCommandTests {
    @Test func aCustomersRecordsAreExportedWithProofsAndErasedWhileTheLogStillVerifies() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let signer = try NoteSigner.generate(name: "acme.example/audit")
        let ledger = try SQLLedger(directory: directory, contentKey: ContentKey(derivedFrom: signer.signer))
        let config = try ConfigLoader(environment: [:]).load(yaml: yaml, file: "desk.yaml")
        let gateway = Gateway(
            config: config,
            ledger: ledger,
            adapters: [corp, tg],
            checkpoints: .init(origin: "acme.example/audit", signer: signer.signer),
            logger: quietLogger("test")
        )
        let li = Subject(platforms: ["tg"], person: "7001")
        try await withServices(gateway.services) {
            #expect(await eventually { FileManager.default.fileExists(atPath: socket) })
            for (chat, name, text) in [("7001", "Li", "my id is 11010519491231002X"), ("7002", "Wang", "hello")] {
                var message = Fixtures.envelope(
                    platform: "tg",
                    conversation: chat,
                    messageID: "\(chat)-1",
                    text: text,
                    sender: chat,
                    senderName: name
                )
                message.labels = [Channel.privateLabel]
                tg.post(message)
            }
            #expect(await eventually { corp.sent.count == 2 })
            corp.post(
                Fixtures.envelope(
                    platform: "corp",
                    conversation: "cidDesk",
                    messageID: "d1",
                    text: "#1001 thank you Li",
                    sender: "s01",
                    senderName: "Wang"
                )
            )
            #expect(await eventually { tg.sent.count == 1 })

            // Li's access: their ticket, their message and the desk's answer, with the bodies.
            let before = try AuditSubject.export(LedgerReader(directory: directory), li)
            #expect(before.count == 3)
            #expect(before[0].contains(#""subject":"tg/7001""#) && before[0].contains(#""name":"Li""#))
            #expect(before[1].contains("my id is") && before[2].contains("thank you Li"))
            #expect(!before.joined().contains("hello"))

            // Li's erasure, through the admin socket in the caller's name.
            let erase = try #require(
                try GatehouseCommand.parseAsRoot(["audit", "erase", "--subject", "tg:7001", "--reason", "the customer asked", "--socket", socket])
                    as? AuditErase
            )
            try await erase.run()
        }
        // After the final checkpoint: the records are there, with proofs, and nothing of Li's words.
        let after = try AuditSubject.export(LedgerReader(directory: directory), li)
        #expect(after.count == 3)
        #expect(!after.joined().contains("my id is") && !after.joined().contains("thank you Li") && !after[0].contains(#""name":"Li""#))
        #expect(after.dropFirst().allSatisfy { $0.contains(#""proof":"c2sp.org/tlog-proof@v1"#) })
        // Wang's conversation is untouched, and the whole log still verifies.
        let wang = try AuditSubject.export(LedgerReader(directory: directory), Subject(platforms: ["tg"], person: "7002"))
        #expect(wang.joined().contains("hello"))
        let erasures = try await ledger.records(from: 1, limit: 100).filter { $0.kind == .contentErased }
        #expect(erasures.count == 2 && erasures.allSatisfy { $0.approver?.hasPrefix("uid \(getuid())") == true })
        let verification = try LedgerReader(directory: directory).verify(verifiers: [signer.signer.verifier], origin: "acme.example/audit")
        #expect(verification.intact)
    }

    @Test func aCustomersNameCannotRewriteTheOperatorsTerminal() throws {
        // As the admin socket sends it: a name and handle the customer chose.
        let json =
            #"{"number":1001,"state":"open","platform":"tg","chat":"7001","customerID":"7001","name":"Li\u001b[2J\u202egnp.exe","handle":"li\u0007","openedAt":"1970-01-01T00:00:00Z"}"#
        let ticket = try AdminWire.decoder.decode(AdminWire.TicketRow.self, from: Data(json.utf8))
        let line = Desk.Tickets.line(ticket)
        #expect(!line.unicodeScalars.contains { $0 == "\u{1b}" || $0 == "\u{202E}" || $0 == "\u{7}" })
        #expect(line.hasPrefix("#1001  open  Li"))
    }
}
