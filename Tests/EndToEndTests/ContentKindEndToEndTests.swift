import AsyncHTTPClient
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseEmulators
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import Testing

@testable import GatehouseCommands

/// Every kind of Telegram message, through the whole gateway over the Telegram emulator: each
/// becomes an envelope, is decided and recorded, and arrives in its native form where the
/// destination has it, as its label where not, or as its redacted label where the rules masked it.
@Suite(.timeLimit(.minutes(2))) struct ContentKindEndToEndTests {
    static let token = "7000000003:kinds-test-token"
    static let group = TelegramEmulator.Chat(id: -1_005_550_101, type: .supergroup, title: "Partners")
    static let channelID: Int64 = -1_005_550_102
    static let maskedID: Int64 = -1_005_550_103
    static let sender = TelegramEmulator.User(id: 42, firstName: "Li")

    /// The channels, checks and routes (the platform is `withTelegramGateway`'s).
    static let yaml = """
        channels:
          partners: { platform: tg, chat: \(Self.group.id) }
          mirror: { platform: tg, chat: \(Self.channelID) }
          masked: { platform: tg, chat: \(Self.maskedID) }
        checks:
          phones: { detect: [cn_mobile] }
        routes:
          - { name: mirrored, from: partners, to: [mirror], template: "{sender.name}: {text}" }
          - { name: careful, from: partners, to: [masked], on: { phones: redact }, placeholders: { story: "(a story was shared)" } }
        """

    @Test func eachKindCrossesNativelyOrAsItsLabelAndIsRecorded() async throws {
        try await withTelegramGateway(token: Self.token, yaml: Self.yaml, body: play)
    }

    /// A JPEG's first bytes: the emulator takes it as a photo.
    static let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 0x11, count: 200))

    func play(_ telegram: TelegramEmulator, _ ledger: SQLLedger) async throws {
        func post(
            _ text: String = "",
            media: [String: TelegramEmulator.InjectedFile]? = nil,
            photo: TelegramEmulator.InjectedFile? = nil,
            album: String? = nil,
            content: [String: JSONValue]? = nil
        ) async throws {
            _ = try await telegram.inject(
                .init(chat: Self.group, from: Self.sender, text: text, photo: photo, media: media, mediaGroupID: album, content: content)
            )
        }
        func crossings() async throws -> [AuditRecord] {
            try await ledger.records(from: 1, limit: 1000).filter { $0.kind == .crossing }
        }
        func delivered() async throws -> Int {
            try await ledger.records(from: 1, limit: 1000).filter { $0.kind == .delivery && $0.outcome == .delivered }.count
        }
        var expected = 0
        /// Posts, waits until both routes delivered it, and answers what each destination got.
        func cross(_ post: () async throws -> Void) async throws -> (mirror: [TelegramEmulator.SentRecord], masked: [TelegramEmulator.SentRecord]) {
            let mirrorBefore = await telegram.sent(chatID: String(Self.channelID)).count
            let maskedBefore = await telegram.sent(chatID: String(Self.maskedID)).count
            try await post()
            expected += 2
            #expect(await eventually { try await delivered() == expected })
            return (
                Array(await telegram.sent(chatID: String(Self.channelID)).dropFirst(mirrorBefore)),
                Array(await telegram.sent(chatID: String(Self.maskedID)).dropFirst(maskedBefore))
            )
        }

        // A location: a pin at both, the template's line before it where the template adds one.
        let location = try await cross {
            try await post(content: ["location": .object(["latitude": .double(31.2304), "longitude": .double(121.4737)])])
        }
        #expect(location.mirror.map(\.method) == ["sendMessage", "sendLocation"])
        #expect(location.mirror.first?.text == "Li:")
        #expect(location.mirror.last?.content?["latitude"] == .double(31.2304))
        #expect(location.masked.map(\.method) == ["sendLocation"])

        // A contact card: the number is a phone number. Where the rules let it through, the
        // card crosses; where they mask it, the masked label crosses, never the card.
        let contact = try await cross {
            try await post(content: ["contact": .object(["phone_number": .string("13812345678"), "first_name": .string("Wang")])])
        }
        #expect(contact.mirror.map(\.method) == ["sendMessage", "sendContact"])
        #expect(contact.mirror.last?.content?["phone_number"] == .string("13812345678"))
        #expect(contact.masked.map(\.method) == ["sendMessage"])
        #expect(contact.masked.first?.text?.contains("13812345678") == false)
        #expect(contact.masked.first?.text?.hasPrefix("[contact: Wang, ") == true)

        // A poll, a venue and a die, each sent again natively.
        let poll = try await cross {
            try await post(
                content: [
                    "poll": .object([
                        "id": .string("1"), "question": .string("Lunch?"),
                        "options": .array([
                            .object(["text": .string("noodles"), "voter_count": .int(0)]),
                            .object(["text": .string("rice"), "voter_count": .int(0)]),
                        ]),
                        "total_voter_count": .int(0), "is_closed": .bool(false), "is_anonymous": .bool(true), "type": .string("regular"),
                        "allows_multiple_answers": .bool(false),
                    ])
                ]
            )
        }
        #expect(poll.masked.map(\.method) == ["sendPoll"])
        #expect(poll.masked.first?.content?["question"] == .string("Lunch?"))
        let venue = try await cross {
            try await post(
                content: [
                    "venue": .object([
                        "location": .object(["latitude": .double(31.24), "longitude": .double(121.49)]), "title": .string("The Bund"),
                        "address": .string("Zhongshan Rd"),
                    ])
                ]
            )
        }
        #expect(venue.masked.map(\.method) == ["sendVenue"])
        let dice = try await cross { try await post(content: ["dice": .object(["emoji": .string("🎯"), "value": .int(4)])]) }
        #expect(dice.masked.map(\.method) == ["sendDice"])
        #expect(dice.masked.first?.content?["emoji"] == .string("🎯"))

        // A file whose name holds a phone number: each destination gets the name its own rules
        // decided, though the bytes are fetched once for both.
        let named = try await cross {
            _ = try await telegram.inject(
                .init(
                    chat: Self.group,
                    from: Self.sender,
                    text: "",
                    document: .init(fileName: "call 13812345678.pdf", mimeType: "application/pdf", content: Data("%PDF-1.7".utf8))
                )
            )
        }
        #expect(named.mirror.compactMap(\.fileName) == ["call 13812345678.pdf"])
        #expect(named.masked.compactMap(\.fileName).allSatisfy { !$0.contains("13812345678") })
        #expect(named.masked.map(\.method) == ["sendDocument"])

        // Files in their own forms: a voice note, a video, an animation, audio, a video note, a sticker.
        let forms: [(field: String, method: String, file: TelegramEmulator.InjectedFile)] = [
            ("voice", "sendVoice", .init(mimeType: "audio/ogg", content: Data("OggS voice".utf8), duration: 3)),
            ("video", "sendVideo", .init(fileName: "clip.mp4", mimeType: "video/mp4", content: Data("video".utf8), duration: 5)),
            ("animation", "sendAnimation", .init(fileName: "party.mp4", mimeType: "video/mp4", content: Data("gif".utf8), duration: 2)),
            ("audio", "sendAudio", .init(fileName: "song.mp3", mimeType: "audio/mpeg", content: Data("ID3 audio".utf8), duration: 60)),
            ("video_note", "sendVideoNote", .init(mimeType: "video/mp4", content: Data("round".utf8), duration: 4)),
            ("sticker", "sendSticker", .init(mimeType: "image/webp", content: Data("RIFF0000WEBP".utf8), emoji: "😀")),
        ]
        for form in forms {
            // A sticker and a video note have no caption: posted without one.
            let captioned = form.field != "sticker" && form.field != "video_note"
            let sent = try await cross { try await post(captioned ? "see this" : "", media: [form.field: form.file]) }
            #expect(sent.masked.map(\.method) == [form.method], "\(form.field)")
            #expect(sent.masked.first?.fileSize == (Data(base64Encoded: form.file.content)?.count ?? -1), "\(form.field)")
        }
        // A sticker leaves its label out where it crosses as a sticker: nothing but the sticker.
        #expect(await telegram.sent(chatID: String(Self.maskedID)).last?.text?.isEmpty != false)

        // The kinds no destination sends again cross as their labels, which the checks read.
        let labelled: [(field: String, value: JSONValue, label: String)] = [
            (
                "checklist",
                .object(["title": .string("Launch"), "tasks": .array([.object(["id": .int(1), "text": .string("book hall")])])]),
                "[checklist: Launch — book hall]"
            ),
            (
                "game", .object(["title": .string("Snake"), "description": .string("d"), "photo": .array([])]),
                "[game: Snake]"
            ),
            (
                "invoice",
                .object([
                    "title": .string("Plan"), "description": .string("d"), "start_parameter": .string("s"), "currency": .string("USD"),
                    "total_amount": .int(100),
                ]),
                "[invoice: Plan]"
            ),
            ("giveaway", .object(["chats": .array([]), "winners_selection_date": .int(1_790_000_000), "winner_count": .int(1)]), "[giveaway]"),
            ("paid_media", .object(["star_count": .int(5), "paid_media": .array([])]), "[paid media]"),
        ]
        for kind in labelled {
            let sent = try await cross { try await post(content: [kind.field: kind.value]) }
            #expect(sent.mirror.map(\.text) == ["Li: \(kind.label)"], "\(kind.field)")
            #expect(sent.masked.map(\.method) == ["sendMessage"], "\(kind.field)")
        }

        // A story no destination sends again: its label, or the route's placeholder for it.
        let story = try await cross {
            try await post(content: ["story": .object(["chat": .object(["id": .int(1), "type": .string("channel")]), "id": .int(9)])])
        }
        #expect(story.mirror.map(\.text) == ["Li: [story]"])
        #expect(story.masked.map(\.text) == ["(a story was shared)"])

        // An album of five photos, its parts arriving together as Telegram sends them: one album,
        // in order, the caption on the first.
        let album = try await cross {
            _ = try await telegram.inject(
                all: (1...5).map { number in
                    .init(
                        chat: Self.group,
                        from: Self.sender,
                        text: number == 1 ? "five photos" : "",
                        // Each its own size, so the order shows.
                        photo: .init(content: Self.jpeg + Data(repeating: UInt8(number), count: number)),
                        mediaGroupID: "album-1"
                    )
                }
            )
        }
        #expect(album.mirror.map(\.method) == Array(repeating: "sendMediaGroup", count: 5))
        #expect(Set(album.mirror.compactMap(\.mediaGroupID)).count == 1)
        #expect(album.mirror.first?.text == "Li: five photos")
        #expect(album.mirror.compactMap(\.fileSize) == (1...5).map { Self.jpeg.count + $0 })

        // Every message left one crossing record per route, whatever its kind.
        let recorded = try await crossings()
        #expect(recorded.count == expected)
    }

    @Test func aGroupUpgradedToASupergroupIsStillItsChannelAndServiceMessagesAreRecordedAsIgnored() async throws {
        let group = TelegramEmulator.Chat(id: -4_001, type: .group, title: "Partners")
        let supergroup = TelegramEmulator.Chat(id: -1_000_000_004_001, type: .supergroup, title: "Partners")
        try await withTelegramGateway(
            token: Self.token,
            yaml: """
                channels:
                  partners: { platform: tg, chat: \(group.id) }
                  mirror: { platform: tg, chat: \(Self.channelID) }
                routes:
                  - { name: mirrored, from: partners, to: [mirror] }
                """,
            body: { telegram, ledger in
                _ = try await telegram.inject(.init(chat: group, from: Self.sender, text: "before"))
                #expect(await eventually { await telegram.sent(chatID: String(Self.channelID)).count == 1 })
                // The group becomes a supergroup: people now write in the supergroup.
                try await telegram.migrate(group: group.id, to: supergroup.id)
                _ = try await telegram.inject(.init(chat: supergroup, from: Self.sender, text: "after"))
                #expect(await eventually { await telegram.sent(chatID: String(Self.channelID)).count == 2 })
                #expect(await telegram.sent(chatID: String(Self.channelID)).compactMap(\.text) == ["before", "after"])
            },
            stopped: { ledger in
                let records = try await ledger.records(from: 1, limit: 100)
                // The supergroup's message crossed as the configured group's.
                #expect(records.filter { $0.kind == .crossing }.map { $0.origin?.conversation } == [String(group.id), String(group.id)])
                // The two service messages of the upgrade crossed nothing, and are in the log as ignored.
                let ignored = try #require(records.first { $0.kind == .ignored })
                #expect(ignored.platform == "tg")
                #expect(ignored.ignored?.reasons.map(\.reason) == ["service:migrate_from_chat_id", "service:migrate_to_chat_id"])
                #expect(ignored.ignored?.sources.map(\.address) == [String(group.id)])
            }
        )
    }
}
