import Foundation
import GatehouseCore
import Testing

@testable import TelegramAdapter

/// Every kind of message the Bot API defines becomes an envelope with its kind, and the kinds
/// that are no file cross as a labelled text the checks read: nothing posted in a routed chat
/// vanishes without a decision.
@Suite struct ContentKindTests {
    let mapping = UpdateMappingTests()

    func envelope(_ content: String) throws -> Envelope? {
        try mapping.envelope(
            """
            {"update_id":30,"message":{"message_id":12,"date":1790000000,"chat":{"id":-1009,"type":"supergroup"},
             "from":{"id":42,"first_name":"Li"},\(content)}}
            """
        )
    }

    /// A kind that is no file, and the label it crosses as.
    struct Label: Sendable, CustomTestStringConvertible {
        var content: String
        var kind: ContentKind
        var text: String
        var testDescription: String { kind.rawValue }
    }

    static let labels = [
        Label(
            content:
                #""sticker":{"file_id":"S","file_unique_id":"s","type":"regular","width":512,"height":512,"is_animated":false,"is_video":false,"emoji":"😀"}"#,
            kind: .sticker,
            text: "[sticker 😀]"
        ),
        Label(
            content:
                #""poll":{"id":"p","question":"Lunch?","options":[{"text":"noodles","voter_count":0},{"text":"dumplings","voter_count":0}],"total_voter_count":0,"is_closed":false,"is_anonymous":true,"type":"regular","allows_multiple_answers":false}"#,
            kind: .poll,
            text: "[poll: Lunch? — noodles / dumplings]"
        ),
        Label(content: #""location":{"latitude":31.2304,"longitude":121.4737}"#, kind: .location, text: "[location: 31.2304, 121.4737]"),
        Label(
            content: #""venue":{"location":{"latitude":31.23,"longitude":121.47},"title":"Acme HQ","address":"1 Bund Road"}"#,
            kind: .venue,
            text: "[venue: Acme HQ, 1 Bund Road (31.23, 121.47)]"
        ),
        Label(
            content: #""contact":{"phone_number":"13812345678","first_name":"Wei","last_name":"Li"}"#,
            kind: .contact,
            text: "[contact: Wei Li, 13812345678]"
        ),
        Label(content: #""dice":{"emoji":"🎲","value":4}"#, kind: .dice, text: "[dice 🎲 4]"),
        Label(content: #""story":{"chat":{"id":-1007,"type":"channel"},"id":3}"#, kind: .story, text: "[story]"),
        Label(content: #""game":{"title":"Chess","description":"d","photo":[]}"#, kind: .game, text: "[game: Chess]"),
        Label(
            content: #""invoice":{"title":"Plan","description":"d","start_parameter":"s","currency":"CNY","total_amount":100}"#,
            kind: .invoice,
            text: "[invoice: Plan]"
        ),
        Label(
            content: #""checklist":{"title":"Launch","tasks":[{"id":1,"text":"call 13812345678"}]}"#,
            kind: .checklist,
            text: "[checklist: Launch — call 13812345678]"
        ),
        Label(
            content: #""paid_media":{"star_count":5,"paid_media":[]},"caption":"behind the scenes""#,
            kind: .paidMedia,
            text: "behind the scenes\n[paid media]"
        ),
        Label(content: #""giveaway":{"chats":[],"winners_selection_date":1790000000,"winner_count":1}"#, kind: .giveaway, text: "[giveaway]"),
    ]

    @Test(arguments: labels)
    func aKindThatIsNoFileCrossesAsTheLabelTheChecksRead(_ label: Label) throws {
        let envelope = try #require(try envelope(label.content))
        #expect(envelope.contentKind == label.kind)
        #expect(envelope.body.text == label.text)
        // The native form carries the same label, at the end of the text, where the gate finds it.
        #expect(envelope.native?.kind == label.kind)
        #expect(envelope.native.map { label.text.hasSuffix($0.label) } == true)
        // A sticker's file goes with it, for a destination that sends stickers; no other such kind has one.
        #expect(envelope.attachments.map(\.form) == (label.kind == .sticker ? [.sticker] : []))
    }

    /// A kind that is a file.
    struct File: Sendable, CustomTestStringConvertible {
        var content: String
        var kind: ContentKind
        var testDescription: String { kind.rawValue }
    }

    static let files = [
        File(content: #""video_note":{"file_id":"VN","file_unique_id":"vn","length":240,"duration":5}"#, kind: .videoNote),
        File(content: #""voice":{"file_id":"VN","file_unique_id":"v","duration":3,"mime_type":"audio/ogg"}"#, kind: .voice),
        File(content: #""audio":{"file_id":"VN","file_unique_id":"a","duration":3,"file_name":"song.mp3"}"#, kind: .audio),
        File(content: #""video":{"file_id":"VN","file_unique_id":"v","width":1,"height":1,"duration":3}"#, kind: .video),
        File(
            content:
                #""animation":{"file_id":"VN","file_unique_id":"g","width":1,"height":1,"duration":3},"document":{"file_id":"VN","file_unique_id":"g"}"#,
            kind: .animation
        ),
        File(content: #""document":{"file_id":"VN","file_unique_id":"d","file_name":"terms.pdf"}"#, kind: .document),
        File(content: #""photo":[{"file_id":"VN","file_unique_id":"p","width":1,"height":1}]"#, kind: .photo),
    ]

    @Test(arguments: files)
    func aFileKindIsAnAttachmentWithItsKind(_ file: File) throws {
        let envelope = try #require(try envelope(file.content + #","caption":"see this""#))
        #expect(envelope.contentKind == file.kind)
        #expect(envelope.attachments.map(\.reference) == ["VN"])
        #expect(envelope.body.text == "see this")
    }

    @Test func plainTextHasNoKindRecorded() throws {
        #expect(try envelope(#""text":"hello""#)?.contentKind == nil)
    }

    @Test func aPhoneNumberInAContactCardOrAChecklistIsInTheTextTheChecksScan() throws {
        // A card or a task list must not be a way round the PII checks: what crosses is the label,
        // and the label is what the detectors read.
        let detector = try #require(BuiltinDetectors.named("cn_mobile"))
        for content in [
            #""contact":{"phone_number":"13812345678","first_name":"Wei"}"#,
            #""checklist":{"title":"Launch","tasks":[{"id":1,"text":"call 13812345678"}]}"#,
            #""poll":{"id":"p","question":"Lunch?","options":[{"text":"ring 13812345678"}]}"#,
        ] {
            let text = try #require(try envelope(content)).body.text
            var matches: [Range<Int>] = []
            Array(text.utf8).withUnsafeBufferPointer { detector.scan($0, into: &matches) }
            #expect(matches.count == 1, "\(text)")
        }
    }
}
