import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

@testable import DingTalkAdapter

/// Which form a file takes in a DingTalk group, by the documented formats of media/upload and the
/// sample* messages; what fits none is named in a line.
@Suite struct DingTalkFileFormTests {
    @Test func picturesDocumentsAndAMRVoiceNotesHaveAFormAndTheRestAreNamed() {
        #expect(DingTalkAdapter.form(of: .init(reference: "a", mimeType: "image/jpeg", isPhoto: true)) == .picture)
        #expect(DingTalkAdapter.form(of: .init(reference: "b", name: "Q3.PDF")) == .file(type: "pdf"))
        #expect(DingTalkAdapter.form(of: .init(reference: "c", name: "budget.xlsx")) == .file(type: "xlsx"))
        #expect(DingTalkAdapter.form(of: .init(reference: "d", name: "memo.amr", kind: .voice)) == .voice)
        // An OGG voice note, an MP4 video, a sticker, a file of no documented type: none.
        #expect(DingTalkAdapter.form(of: .init(reference: "e", mimeType: "audio/ogg", kind: .voice)) == nil)
        #expect(DingTalkAdapter.form(of: .init(reference: "f", name: "clip.mp4", mimeType: "video/mp4", kind: .video)) == nil)
        #expect(DingTalkAdapter.form(of: .init(reference: "g", name: "sticker.webp", kind: .sticker)) == nil)
        #expect(DingTalkAdapter.form(of: .init(reference: "h", name: "run.exe")) == nil)
    }

    @Test func aFileWithNoFormIsNamedInTheTextAndAStickerIsLeftToItsLabel() {
        let video = Envelope.Attachment(reference: "f", name: "clip.mp4", mimeType: "video/mp4", bytes: 1_000, kind: .video)
        let sticker = Envelope.Attachment(reference: "g", name: "sticker.webp", kind: .sticker)
        let pdf = Envelope.Attachment(reference: "b", name: "Q3.pdf", bytes: 10)
        let message = OutboundMessage(
            channel: Channel(name: "desk", platform: "corp", address: .conversation("cid")),
            text: "look [sticker 😀]",
            idempotencyKey: "k",
            attachments: [video, sticker, pdf]
        )
        #expect(DingTalkAdapter.text(of: message, leaving: [pdf]) == "look [sticker 😀]\n[附件 attachment: clip.mp4, 1000 bytes]")
    }

    @Test func onlyPicturesMediaUploadTakesAreUploadedAsPictures() {
        #expect(DingTalkAdapter.isUploadablePicture(Data([0xFF, 0xD8, 0xFF, 0xE0])))
        #expect(DingTalkAdapter.isUploadablePicture(Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A])))
        // WebP is not among media/upload's image formats.
        #expect(!DingTalkAdapter.isUploadablePicture(Data("RIFF0000WEBP".utf8)))
        #expect(!DingTalkAdapter.isUploadablePicture(Data("%PDF-1.7".utf8)))
    }
}

/// The directory's answers as the documentation shows them, which spell some numbers as text.
@Suite struct DirectoryAnswerTests {
    @Test func theDocumentationsExampleAnswerReads() throws {
        let answer = try JSONDecoder().decode(
            TopAPIAnswer<UserResult>.self,
            from: Data(#"{"errcode":"0","result":{"userid":"zhangsan","name":"张三","dept_id_list":"[2,3,4]","active":"true"},"errmsg":"ok"}"#.utf8)
        )
        #expect(answer.errcode == 0 && answer.result?.name == "张三" && answer.result?.deptIDList == [2, 3, 4])
        let listed = try JSONDecoder().decode(
            TopAPIAnswer<UserResult>.self,
            from: Data(#"{"errcode":0,"result":{"name":"李","dept_id_list":[7]}}"#.utf8)
        )
        #expect(listed.result?.deptIDList == [7])
        let refused = try JSONDecoder().decode(TopAPIAnswer<UserResult>.self, from: Data(#"{"errcode":33012,"errmsg":"无效的userId"}"#.utf8))
        #expect(refused.errcode == 33012 && refused.result == nil)
    }
}

/// Files from and to DingTalk against the emulator: bounded, and named safely.
extension DingTalkAdapterLiveTests {
    @Test func aFileIsNotReadPastTheLimitAndAHostileFileNameCannotForgeAHeader() async throws {
        try await withAdapter { adapter, emulator in
            // A file a person sent the robot, 4 KB: with a 1 KB limit its download is refused.
            _ = try await emulator.inject(
                .init(
                    conversationId: "cidDirect==",
                    conversationType: "1",
                    senderStaffId: "u1",
                    text: "",
                    file: .init(msgtype: "file", fileName: "big.pdf", content: Data(repeating: 0x25, count: 4_096))
                )
            )
            // The download code is in what the robot received; the emulator's own record has it.
            let code = try #require(await emulator.lastDownloadCode())
            await #expect(throws: DeliveryError.self) {
                _ = try await adapter.download(Envelope.Attachment(reference: code, name: "big.pdf"), limit: 1_024)
            }
            let whole = try await adapter.download(Envelope.Attachment(reference: code, name: "big.pdf"), limit: 8_192)
            #expect(whole.data.count == 4_096)

            // A name with a quote and a line break goes into the upload's header as one name.
            let hostile = "evil\".pdf\r\nContent-Type: text/html"
            let message = OutboundMessage(
                channel: Self.desk,
                text: "",
                idempotencyKey: "k",
                attachments: [Envelope.Attachment(reference: "r", name: hostile + ".pdf")],
                files: .files(["r": AttachedFile(name: hostile + ".pdf", mimeType: "application/pdf", data: Data("%PDF-1.7".utf8))])
            )
            _ = try await adapter.send(message)
            let sent = try #require(await emulator.sent(conversation: "cidDesk==").last)
            #expect(sent.msgKey == "sampleFile")
            let mediaID = try #require(sent.mediaId)
            let stored = try #require(await emulator.mediaName(mediaID))
            #expect(!stored.contains("\r") && !stored.contains("\n") && !stored.contains("\""))
        }
    }
}

/// A quoted reply, in the shape DingTalk's callbacks show (its documentation does not describe it).
@Suite struct QuotedReplyTests {
    @Test func aQuotedReplyKeepsWhatItQuotesAndAnOrdinaryTextHasNone() throws {
        let adapter = DingTalkAdapter(
            configuration: .init(platform: "corp", clientID: "d", clientSecret: Secret("s"), robotCode: "d"),
            httpClient: .shared,
            logger: quietLogger("test")
        )
        let quoted = try JSONDecoder().decode(
            RobotMessage.self,
            from: Data(
                #"{"msgtype":"text","msgId":"m2","conversationId":"cidDesk==","text":{"content":" we are on it","isReplyMsg":true,"repliedMsg":{"msgId":"m1","senderId":"robot","msgType":"text","content":{"text":"[#1003 Zhao Lei] question 3"},"createdAt":1790000000000}}}"#
                    .utf8
            )
        )
        let envelope = try #require(adapter.envelope(from: quoted))
        #expect(envelope.body.text == "we are on it")
        #expect(envelope.quote == "[#1003 Zhao Lei] question 3")
        // The content may come as a plain string too.
        let plain = try JSONDecoder().decode(
            RobotMessage.self,
            from: Data(
                #"{"msgtype":"text","msgId":"m3","conversationId":"c","text":{"content":"ok","isReplyMsg":true,"repliedMsg":{"content":"[#7 A] hi"}}}"#
                    .utf8
            )
        )
        #expect(adapter.envelope(from: plain)?.quote == "[#7 A] hi")
        let ordinary = try JSONDecoder().decode(
            RobotMessage.self,
            from: Data(#"{"msgtype":"text","msgId":"m4","conversationId":"c","text":{"content":"ok"}}"#.utf8)
        )
        #expect(adapter.envelope(from: ordinary)?.quote == nil)
    }
}
