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
        """
        listen: { admin: "\(socket)" }
        platforms:
          corp: { type: dingtalk, side: internal, client_id: d, client_secret: s }
          tg: { type: telegram, side: external, token: "1:x" }
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
