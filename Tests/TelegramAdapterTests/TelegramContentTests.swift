import Foundation
import GatehouseCore
import GatehouseEmulators
import GatehouseTesting
import TelegramAdapter
import Testing

/// Formatting, replies and files over the emulator: what a message carries besides its text.
extension TelegramAdapterLiveTests {
    static let user = TelegramEmulator.User(id: 42, firstName: "Li")

    /// The text an entity covers, counted in UTF-16 as Telegram counts.
    func covered(_ text: String, _ entity: TelegramEmulator.MessageEntity) -> String {
        let units = Array(text.utf16)
        return String(decoding: units[entity.offset..<(entity.offset + entity.length)], as: UTF16.self)
    }

    @Test func formattingArrivesAsSpansAndLeavesAsEntitiesCountedInUTF16() async throws {
        try await withAdapter { adapter, emulator in
            // "🚀 launch at 10:00, see docs": bold after an emoji (2 UTF-16 units, 1 scalar).
            let text = "🚀 launch at 10:00, see docs"
            try await withIntake(adapter) { seen in
                _ = try await emulator.inject(
                    .init(
                        chat: Self.support,
                        from: Self.user,
                        text: text,
                        entities: [
                            .init(type: "bold", offset: 3, length: 6),
                            .init(type: "text_link", offset: 24, length: 4, url: "https://docs.acme.example/launch"),
                            // Derived from the text by every client: not carried.
                            .init(type: "bot_command", offset: 13, length: 5),
                        ]
                    )
                )
                #expect(await eventually { seen.values.count == 1 })
                let body = try #require(seen.values.first).body
                #expect(
                    body.spans == [
                        Span(offset: 2, length: 6, style: .bold),
                        Span(offset: 23, length: 4, style: .link("https://docs.acme.example/launch")),
                    ]
                )
                // And back out, as entities Telegram accepts (the emulator validates them).
                _ = try await adapter.send(OutboundMessage(channel: Self.news, text: body.text, idempotencyKey: "k", spans: body.spans))
            }
            let sent = try #require(await emulator.sent(chatID: "-1001234").first)
            let entities = try #require(sent.entities)
            #expect(entities.map { covered(text, $0) } == ["launch", "docs"])
            #expect(entities.last?.url == "https://docs.acme.example/launch")
        }
    }

    @Test func aSplitKeepsEachEntityWholeInsideOnePart() async throws {
        try await withAdapter { adapter, emulator in
            // A bold run of 200 characters straddling where the first 4096-unit part would end.
            let text = String(repeating: "a", count: 4000) + String(repeating: "B", count: 200) + String(repeating: "c", count: 100)
            let spans = [Span(offset: 4000, length: 200, style: .bold)]
            let ids = try await adapter.send(OutboundMessage(channel: Self.news, text: text, idempotencyKey: "k", spans: spans))
            let sent = await emulator.sent(chatID: "-1001234")
            #expect(ids.count == 2)
            #expect(sent.compactMap(\.text).joined() == text)
            #expect(sent[0].entities == nil || sent[0].entities == [])
            let second = try #require(sent[1].entities?.first)
            #expect(covered(sent[1].text ?? "", second) == String(repeating: "B", count: 200))
        }
    }

    @Test func aReplyAnswersTheMessageItNamesAndAMissingOneStillSends() async throws {
        try await withAdapter { adapter, emulator in
            let first = try await adapter.send(OutboundMessage(channel: Self.news, text: "question", idempotencyKey: "k1"))
            _ = try await adapter.send(OutboundMessage(channel: Self.news, text: "answer", idempotencyKey: "k2", replyTo: first[0]))
            _ = try await adapter.send(OutboundMessage(channel: Self.news, text: "late answer", idempotencyKey: "k3", replyTo: "999999"))
            let sent = await emulator.sent(chatID: "-1001234")
            #expect(sent.map(\.replyToMessageID) == [nil, Int64(first[0]), nil])
            #expect(sent.count == 3)
        }
    }

    @Test func aReplyInAForumTopicToTheTopicRootIsNotAReply() async throws {
        try await withAdapter { adapter, emulator in
            let forum = TelegramEmulator.Chat(id: -1007, type: .supergroup, title: "Partners", isForum: true)
            try await withIntake(adapter) { seen in
                let question = try await emulator.inject(.init(chat: forum, from: Self.user, text: "in topic", messageThreadID: 42))
                _ = try await emulator.inject(
                    .init(chat: forum, from: Self.user, text: "real reply", messageThreadID: 42, replyToMessageID: question.messageID)
                )
                #expect(await eventually { seen.values.count == 2 })
                #expect(seen.values.map(\.origin.topic) == [42, 42])
                #expect(seen.values.map(\.replyTo) == [nil, String(question.messageID)])
            }
        }
    }

    @Test func aFileArrivesAsMetadataIsFetchedOnRequestAndSentAsAnUpload() async throws {
        try await withAdapter { adapter, emulator in
            let pdf = Data((0..<30_000).map { UInt8($0 % 251) })
            let envelope = try await withIntake(adapter) { seen in
                _ = try await emulator.inject(
                    .init(
                        chat: Self.support,
                        from: Self.user,
                        text: "Q3 report",
                        document: .init(fileName: "q3.pdf", mimeType: "application/pdf", content: pdf)
                    )
                )
                #expect(await eventually { seen.values.count == 1 })
                return try #require(seen.values.first)
            }
            let attachment = try #require(envelope.attachments.first)
            #expect(envelope.body.text == "Q3 report")
            #expect(attachment.name == "q3.pdf" && attachment.bytes == pdf.count && attachment.mimeType == "application/pdf")
            // Nothing that crosses holds a file URL (they embed the bot token).
            let crossing = String(decoding: try JSONEncoder().encode(envelope), as: UTF8.self)
            #expect(!crossing.contains("/file/bot") && !crossing.contains(Self.token))
            let file = try await adapter.download(attachment, limit: 1 << 20)
            #expect(file.data == pdf && file.name == "q3.pdf")
            let ids = try await adapter.send(
                OutboundMessage(
                    channel: Self.news,
                    text: "» Q3 report",
                    idempotencyKey: "k",
                    spans: [Span(offset: 2, length: 2, style: .bold)],
                    attachments: [attachment],
                    files: .files([attachment.reference: file])
                )
            )
            let sent = await emulator.sent(chatID: "-1001234")
            #expect(sent.map(\.method) == ["sendDocument"])
            #expect(sent.first?.fileName == "q3.pdf", "\(sent)")
            #expect(sent.first?.fileSize == pdf.count)
            // The text fits a caption, so it rides on the file, with its formatting.
            #expect(sent.first?.text == "» Q3 report")
            #expect(sent.first?.entities?.map { covered("» Q3 report", $0) } == ["Q3"])
            // An edit of a captioned file edits the caption.
            let edited = try await adapter.edit(
                ids,
                with: OutboundMessage(
                    channel: Self.news,
                    text: "» Q3 report (final)",
                    idempotencyKey: "k",
                    attachments: [attachment]
                )
            )
            #expect(edited == ids)
            #expect(await emulator.sent(chatID: "-1001234").last?.method == "editMessageCaption")
        }
    }

    @Test func aTextLongerThanACaptionGoesFirstAndAPictureGoesAsAPhoto() async throws {
        try await withAdapter { adapter, emulator in
            // A JPEG's first bytes: the server decodes what it is sent as a photo.
            let picture = AttachedFile(
                name: "chart.jpg",
                mimeType: "image/jpeg",
                data: Data([0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 7, count: 4_996)),
                isPhoto: true
            )
            let text = String(repeating: "详细说明 ", count: 300)
            let ids = try await adapter.send(
                OutboundMessage(
                    channel: Self.news,
                    text: text,
                    idempotencyKey: "k",
                    attachments: [Envelope.Attachment(reference: "x", mimeType: "image/jpeg", bytes: 5_000, isPhoto: true)],
                    files: .files(["x": picture])
                )
            )
            let sent = await emulator.sent(chatID: "-1001234")
            #expect(sent.map(\.method) == ["sendMessage", "sendPhoto"])
            #expect(ids.count == 2)
            #expect(sent[1].text == "" || sent[1].text == nil)
        }
    }

    @Test func aPictureTheServerCannotReadGoesAsADocument() async throws {
        try await withAdapter { adapter, emulator in
            // Said to be a photo, but no picture: Telegram answers IMAGE_PROCESS_FAILED to sendPhoto.
            let fake = AttachedFile(name: "chart.jpg", mimeType: "image/jpeg", data: Data("not a picture".utf8), isPhoto: true)
            let ids = try await adapter.send(
                OutboundMessage(
                    channel: Self.news,
                    text: "the chart",
                    idempotencyKey: "k",
                    attachments: [Envelope.Attachment(reference: "x", mimeType: "image/jpeg", bytes: 13, isPhoto: true)],
                    files: .files(["x": fake])
                )
            )
            #expect(ids.count == 1)
            #expect(await emulator.sent(chatID: "-1001234").map(\.method) == ["sendDocument"])
        }
    }

    @Test func filesOverTheServersLimitsAreRefusedPermanently() async throws {
        try await withAdapter(fileLimits: .init(photoUpload: 1_000, upload: 20_000, download: 10_000)) { adapter, emulator in
            _ = try await emulator.inject(
                .init(
                    chat: Self.support,
                    from: Self.user,
                    text: "",
                    document: .init(fileName: "big.bin", mimeType: nil, content: Data(repeating: 1, count: 15_000))
                )
            )
            let big = Envelope.Attachment(reference: "unknown", name: "big.bin", bytes: 25_000_000)
            // Known to be over Telegram's 20 MB download limit: refused before asking.
            await #expect { try await adapter.download(big, limit: 50 << 20) } throws: { ($0 as? DeliveryError)?.isPermanent == true }
            // An upload over the server's limit: 413, permanent, and the token is not in the reason.
            let huge = AttachedFile(name: "huge.bin", mimeType: nil, data: Data(repeating: 0, count: 2 << 20))
            await #expect {
                _ = try await adapter.send(
                    OutboundMessage(
                        channel: Self.news,
                        text: "x",
                        idempotencyKey: "k",
                        attachments: [Envelope.Attachment(reference: "h", name: "huge.bin")],
                        files: .files(["h": huge])
                    )
                )
            } throws: { error in
                guard let error = error as? DeliveryError else { return false }
                return error.isPermanent && !error.description.contains(Self.token)
            }
        }
    }

    @Test func aSendResumesAfterThePartsAnEarlierAttemptDelivered() async throws {
        try await withAdapter { adapter, emulator in
            let text = String(repeating: "x", count: 4000) + "\n" + String(repeating: "y", count: 4000) + "\n" + String(repeating: "z", count: 100)
            let reported = Recorder<[String]>()
            // As if an earlier attempt had delivered part 1 (id "777") and then failed.
            let ids = try await adapter.send(
                OutboundMessage(channel: Self.news, text: text, idempotencyKey: "k"),
                progress: PartProgress(delivered: ["777"]) { _ = reported.append($0) }
            )
            let sent = await emulator.sent(chatID: "-1001234")
            #expect(sent.count == 2)
            #expect(sent.first?.text?.hasPrefix("y") == true)
            #expect(ids.count == 3 && ids.first == "777")
            // Each part is reported as soon as it is delivered, with all the ids so far.
            #expect(reported.values.map(\.count) == [2, 3])
            #expect(reported.values.last == ids)
        }
    }

    @Test func aWithdrawnCopyReadsTheNoticeInEveryPartAndAFileInItsCaption() async throws {
        try await withAdapter { adapter, emulator in
            // Two text parts, and a document with a caption.
            let text = String(repeating: "x", count: 4000) + "\n" + String(repeating: "y", count: 100)
            let texts = try await adapter.send(OutboundMessage(channel: Self.news, text: text, idempotencyKey: "k1"))
            let file = AttachedFile(name: "terms.pdf", mimeType: "application/pdf", data: Data("%PDF-1.4".utf8))
            let document = try await adapter.send(
                OutboundMessage(
                    channel: Self.news,
                    text: "terms",
                    idempotencyKey: "k2",
                    attachments: [Envelope.Attachment(reference: "f", name: "terms.pdf")],
                    files: .files(["f": file])
                )
            )
            await emulator.advanceClock(by: .seconds(49 * 3600))
            await #expect(throws: DeliveryError.notRemovable("deleteMessage: 400 Bad Request: message can't be deleted for everyone")) {
                try await adapter.delete(texts + document, in: Self.news, priority: .interactive)
            }
            let kept = try await adapter.withdraw(texts + document, in: Self.news, notice: "withdrawn", priority: .interactive)
            #expect(kept == texts + document)
            let edits = await emulator.sent(chatID: "-1001234").dropFirst(3)
            #expect(edits.map(\.method) == ["editMessageText", "editMessageText", "editMessageCaption"])
            #expect(edits.allSatisfy { $0.text == "withdrawn" })
        }
    }

    @Test func anOldMessageEditedShorterEmptiesThePartsTelegramWillNotDelete() async throws {
        try await withAdapter { adapter, emulator in
            let text = String(repeating: "x", count: 4000) + "\n" + String(repeating: "y", count: 4000) + "\n" + String(repeating: "z", count: 100)
            let ids = try await adapter.send(OutboundMessage(channel: Self.news, text: text, idempotencyKey: "k"))
            await emulator.advanceClock(by: .seconds(49 * 3600))
            let edited = try await adapter.edit(ids, with: OutboundMessage(channel: Self.news, text: "short now", idempotencyKey: "k"))
            // The first part reads the new text; the two Telegram keeps read "…"; all three stay mapped.
            #expect(edited == ids)
            let edits = await emulator.sent(chatID: "-1001234").dropFirst(3)
            #expect(edits.map(\.method) == ["editMessageText", "editMessageText", "editMessageText"])
            #expect(edits.compactMap(\.text) == ["short now", "…", "…"])
        }
    }

    @Test func aRetriedEditTakesNotModifiedAsDone() async throws {
        try await withAdapter { adapter, emulator in
            let ids = try await adapter.send(OutboundMessage(channel: Self.news, text: "v1", idempotencyKey: "k"))
            let message = OutboundMessage(channel: Self.news, text: "v2", idempotencyKey: "k")
            _ = try await adapter.edit(ids, with: message)
            // The same edit again (a retry after a later part failed): Telegram says "not modified".
            #expect(try await adapter.edit(ids, with: message) == ids)
            #expect(await emulator.sent(chatID: "-1001234").map(\.method) == ["sendMessage", "editMessageText"])
        }
    }

    @Test func aFileThatCannotBeFetchedIsNamedAndTheRestArrives() async throws {
        try await withAdapter { adapter, emulator in
            let gone = Envelope.Attachment(reference: "gone", name: "contract.pdf", bytes: 30 << 20)
            let ids = try await adapter.send(
                OutboundMessage(
                    channel: Self.news,
                    text: "signed copy attached",
                    idempotencyKey: "k",
                    attachments: [gone],
                    files: FileSource { _ in throw DeliveryError.rejected("getFile: 400 file is too big") }
                )
            )
            let sent = await emulator.sent(chatID: "-1001234")
            // The text was to be the file's caption: it arrives, with a line saying what did not.
            #expect(sent.map(\.method) == ["sendMessage"])
            #expect(sent.first?.text == "signed copy attached\n📎 contract.pdf (not forwarded)")
            #expect(ids.count == 1)
        }
    }

    @Test func aCaptionTheEditOutgrowsIsEmptiedAndTheTextSentOnItsOwn() async throws {
        try await withAdapter { adapter, emulator in
            let attachment = Envelope.Attachment(reference: "r", name: "plan.pdf")
            let file = AttachedFile(name: "plan.pdf", mimeType: "application/pdf", data: Data("%PDF".utf8))
            let ids = try await adapter.send(
                OutboundMessage(
                    channel: Self.news,
                    text: "plan v1",
                    idempotencyKey: "k",
                    attachments: [attachment],
                    files: .files(["r": file])
                )
            )
            #expect(ids.count == 1 && ids[0].hasPrefix("caption:"))
            let long = String(repeating: "much longer plan ", count: 100)
            // The edit carries no attachment (a reload now redacts them): the ids still say what is what.
            let edited = try await adapter.edit(ids, with: OutboundMessage(channel: Self.news, text: long, idempotencyKey: "k"))
            let sent = await emulator.sent(chatID: "-1001234")
            #expect(sent.map(\.method) == ["sendDocument", "editMessageCaption", "sendMessage"])
            #expect(sent[1].text == "")
            #expect(edited.count == 2 && edited[1].hasPrefix("file:"))
            // Deleting removes both, and deleting again (a retry) finds them gone and is done.
            try await adapter.delete(edited, in: Self.news, priority: .interactive)
            try await adapter.delete(edited, in: Self.news, priority: .interactive)
            #expect(await emulator.sent(chatID: "-1001234").filter { $0.method == "deleteMessage" }.count == 2)
        }
    }

    @Test func aGrowingEditReportsItsNewPartsSoARetrySendsNoneTwice() async throws {
        try await withAdapter { adapter, emulator in
            let ids = try await adapter.send(OutboundMessage(channel: Self.news, text: "short", idempotencyKey: "k"))
            let long = String(repeating: "a", count: 4000) + "\n" + String(repeating: "b", count: 4000) + "\n" + String(repeating: "c", count: 4000)
            let reported = Recorder<[String]>()
            let edited = try await adapter.edit(
                ids,
                with: OutboundMessage(channel: Self.news, text: long, idempotencyKey: "k"),
                progress: PartProgress { _ = reported.append($0) }
            )
            #expect(edited.count == 3 && edited[0] == ids[0])
            #expect(reported.values.map(\.count) == [2, 3])
            // Say the edit failed after its second part: the retry starts from what was in place then.
            let retried = try await adapter.edit(reported.values[0], with: OutboundMessage(channel: Self.news, text: long, idempotencyKey: "k"))
            #expect(retried.prefix(2) == edited.prefix(2))
            let methods = await emulator.sent(chatID: "-1001234").map(\.method)
            // The retry edited nothing anew (both parts read so already) and sent only the third part again.
            #expect(methods == ["sendMessage", "editMessageText", "sendMessage", "sendMessage", "sendMessage"])
        }
    }
}
