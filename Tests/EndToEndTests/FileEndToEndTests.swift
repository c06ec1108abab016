import AsyncHTTPClient
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseEmulators
import GatehouseLedger
import GatehouseTesting
import Testing

@testable import GatehouseCommands

/// Files both ways over both emulators: a document a person sends the DingTalk robot arrives in
/// Telegram as a document, bytes intact; the same document posted in Telegram arrives in a
/// DingTalk group as a file message; each delivery record commits to the bytes it carried.
extension EndToEndTests {
    /// The demo with Li's one-to-one chat with the robot routed to a Telegram group `files`, and,
    /// when `back`, that group routed to the desk.
    static func filesConfig(back: Bool) throws -> String {
        try String(contentsOfFile: demoConfig, encoding: .utf8)
            .replacingOccurrences(
                of: "channels:\n",
                with:
                    "channels:\n  dm-li: { platform: corp, conversation: \"cidDirectLi0==\" }\n  files: { platform: outreach, chat: -1005550000999 }\n"
            )
            + "\n  - { name: files-out, from: dm-li, to: [files] }\n" + (back ? "  - { name: files-in, from: files, to: [desk] }\n" : "")
    }

    @Test func aThreeMegabytePDFCrossesDingTalkToTelegramAndBackWithItsBytesIntactAndCommittedTo() async throws {
        let yaml = try Self.filesConfig(back: true)
        // A PDF's header, then 3 MB that compress to nothing recognisable.
        var generator = SplitMix64(seed: 17)
        let pdf = Data("%PDF-1.7\n".utf8) + Data((0..<(3 << 20)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        try await withEmulators(try ConfigLoader().load(yaml: yaml, file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            try await runGateway(config, httpClient) { ledger in
                func delivered(to destination: String) async throws -> AuditRecord? {
                    try await ledger.records(from: 1, limit: 1000).last {
                        $0.kind == .delivery && $0.outcome == .delivered && $0.destination == destination
                    }
                }
                // Li sends the robot a PDF in their one-to-one chat (where robots receive files).
                _ = try await dingtalk.inject(
                    .init(
                        conversationId: "cidDirectLi0==",
                        conversationType: "1",
                        senderStaffId: "m02",
                        senderNick: "李伟",
                        text: "",
                        file: .init(msgtype: "file", fileName: "contract.pdf", content: pdf)
                    )
                )
                #expect(await eventually(timeout: .seconds(30)) { try await delivered(to: "files") != nil })
                let sent = try #require(await telegram.sent(chatID: "-1005550000999").first)
                #expect(sent.method == "sendDocument" && sent.fileName == "contract.pdf")
                let messageID = try #require(sent.messageID)
                let inTelegram = try #require(await telegram.file(chatID: -1_005_550_000_999, messageID: messageID))
                #expect(inTelegram == pdf)
                let out = try #require(try await delivered(to: "files"))
                #expect(out.files?.map(\.bytes) == [pdf.count])
                #expect(ledger.commits(out, toFile: pdf))
                #expect(!ledger.commits(out, toFile: pdf.dropLast()))

                // Someone posts it in the Telegram group: it reaches the desk as a file message.
                _ = try await telegram.inject(
                    .init(
                        chat: .init(id: -1_005_550_000_999, type: .supergroup, title: "Files"),
                        from: .init(id: 7, firstName: "Li"),
                        text: "signed copy",
                        document: .init(fileName: "contract.pdf", mimeType: "application/pdf", content: inTelegram)
                    )
                )
                #expect(await eventually(timeout: .seconds(30)) { try await delivered(to: "desk") != nil })
                let desk = await dingtalk.sent(conversation: "cidServiceDesk0==")
                #expect(desk.map(\.msgKey) == ["sampleText", "sampleFile"])
                #expect(desk.first?.content == "signed copy")
                let media = try #require(desk.last?.mediaId)
                #expect(await dingtalk.media(media) == pdf)
                let back = try #require(try await delivered(to: "desk"))
                #expect(ledger.commits(back, toFile: pdf))
            }
        }
    }
}

extension EndToEndTests {
    @Test func aFileThatFitsNoFormAtTheDestinationIsNamedInItsPlaceAndTheRecordSaysSo() async throws {
        try await withEmulators(try ConfigLoader().load(file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            try await runGateway(config, httpClient) { ledger in
                // A customer sends a video: DingTalk's sampleVideo needs a cover picture Gatehouse
                // does not have, so the desk reads a line naming it.
                _ = try await telegram.inject(
                    .init(
                        chat: .init(id: -1_009_876_543_210, type: .supergroup, title: "Support"),
                        from: .init(id: 7, firstName: "Li"),
                        text: "it arrived broken",
                        media: ["video": .init(fileName: "unboxing.mp4", mimeType: "video/mp4", content: Data("mp4".utf8), duration: 9)]
                    )
                )
                #expect(await eventually { try await ledger.records(from: 1, limit: 100).contains { $0.outcome == .delivered } })
                let desk = await dingtalk.sent(conversation: "cidServiceDesk0==")
                #expect(desk.map(\.msgKey) == ["sampleText"])
                #expect(desk.first?.content?.hasSuffix("[附件 attachment: unboxing.mp4, 3 bytes]") == true)
                let record = try #require(try await ledger.records(from: 1, limit: 100).first { $0.outcome == .delivered })
                #expect(record.files == nil)
                #expect(record.reason == "files named in their place: unboxing.mp4 (no form DingTalk documents takes it)")
            }
        }
    }
}

extension EndToEndTests {
    @Test func eachDingTalkMessageTypeCrossesToTelegramInItsNativeForm() async throws {
        let yaml = try Self.filesConfig(back: false)
        let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 0x42, count: 64))
        try await withEmulators(try ConfigLoader().load(yaml: yaml, file: Self.demoConfig)) { telegram, dingtalk, config, httpClient in
            try await runGateway(config, httpClient) { ledger in
                func send(_ text: String = "", file: DingTalkEmulator.InjectedFile? = nil) async throws {
                    _ = try await dingtalk.inject(
                        .init(conversationId: "cidDirectLi0==", conversationType: "1", senderStaffId: "m02", senderNick: "李伟", text: text, file: file)
                    )
                }
                try await send("plain words")
                try await send(file: .init(msgtype: "picture", content: jpeg))
                try await send(file: .init(msgtype: "audio", content: Data("#!AMR\n voice".utf8), duration: 4_000, recognition: "明天见"))
                try await send(file: .init(msgtype: "video", content: Data("mp4 bytes".utf8), duration: 9_000))
                try await send(file: .init(msgtype: "file", fileName: "minutes.docx", content: Data("PK docx".utf8)))
                // Telegram takes one message a second in a chat: five take four seconds, more on a busy machine.
                #expect(await eventually(timeout: .seconds(40)) { await telegram.sent(chatID: "-1005550000999").count == 5 })
                let sent = await telegram.sent(chatID: "-1005550000999")
                #expect(sent.map(\.method) == ["sendMessage", "sendPhoto", "sendVoice", "sendVideo", "sendDocument"])
                try #require(sent.count == 5)
                // What DingTalk heard in the voice message is its caption; the files arrive whole.
                #expect(sent[2].text == "[voice: 明天见]")
                #expect(sent[1].fileSize == jpeg.count && sent[4].fileName == "minutes.docx")
                // One crossing record each, and every delivery commits to the bytes it carried (the
                // record is written once the platform answered: waited for).
                #expect(
                    await eventually {
                        try await ledger.records(from: 1, limit: 100).filter { $0.outcome == .delivered && $0.destination == "files" }.count == 5
                    }
                )
                let records = try await ledger.records(from: 1, limit: 100)
                #expect(records.filter { $0.kind == .crossing && $0.destination == "files" }.count == 5)
                #expect(records.filter { $0.kind == .delivery && $0.destination == "files" && $0.files?.count == 1 }.count == 4)
            }
        }
    }
}
