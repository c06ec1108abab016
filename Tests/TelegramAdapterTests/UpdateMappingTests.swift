import AsyncHTTPClient
import Foundation
import GatehouseCore
import Logging
import Testing

@testable import TelegramAdapter

@Suite struct UpdateMappingTests {
    let adapter = TelegramAdapter(
        configuration: .init(platform: "outreach", token: Secret("1:x")),
        httpClient: HTTPClient.shared,
        logger: Logger(label: "test")
    )

    func envelope(_ json: String) throws -> Envelope? {
        adapter.envelope(from: try JSONDecoder().decode(Update.self, from: Data(json.utf8)))
    }

    @Test func aGroupMessageBecomesAPost() throws {
        let envelope = try #require(
            try envelope(
                """
                {"update_id":10,"message":{"message_id":5,"date":1790000000,"text":"hello",
                 "chat":{"id":-1009,"type":"supergroup","title":"Support","username":"acme_support"},
                 "from":{"id":42,"is_bot":false,"first_name":"Li","last_name":"Wei"},
                 "reply_to_message":{"message_id":3,"date":1790000000,"chat":{"id":-1009,"type":"supergroup"}}}}
                """
            )
        )
        #expect(envelope.kind == .post)
        #expect(envelope.origin == .init(platform: "outreach", conversation: "-1009", handle: "acme_support", messageID: "5", eventID: "-1009/5"))
        #expect(envelope.sender == .init(id: "42", name: "Li Wei"))
        #expect(envelope.body.text == "hello")
        #expect(envelope.replyTo == "3")
        #expect(envelope.time == Date(timeIntervalSince1970: 1_790_000_000))
    }

    @Test func videosVoiceAndAnimationsCrossAsFilesAndAnAnimationOnlyOnce() throws {
        let envelope = try #require(
            try envelope(
                """
                {"update_id":12,"message":{"message_id":7,"date":1790000000,"caption":"demo",
                 "chat":{"id":-1009,"type":"supergroup"},"from":{"id":1,"first_name":"A"},
                 "video":{"file_id":"V","file_unique_id":"v","width":1,"height":1,"duration":3,"file_name":"demo.mp4","mime_type":"video/mp4","file_size":900},
                 "animation":{"file_id":"A","file_unique_id":"a","width":1,"height":1,"duration":1,"mime_type":"video/mp4"},
                 "document":{"file_id":"A","file_unique_id":"a","mime_type":"video/mp4"},
                 "voice":{"file_id":"O","file_unique_id":"o","duration":2,"mime_type":"audio/ogg","file_size":50}}}
                """
            )
        )
        #expect(envelope.body.text == "demo")
        #expect(envelope.attachments.map(\.reference) == ["A", "V", "O"])
        #expect(envelope.attachments[1].name == "demo.mp4" && envelope.attachments[1].bytes == 900)
    }

    @Test func aMessageInAForumTopicIsNotAReplyToTheTopicRoot() throws {
        let envelope = try #require(
            try envelope(
                """
                {"update_id":11,"message":{"message_id":90,"message_thread_id":42,"is_topic_message":true,"date":1790000000,
                 "text":"in topic","chat":{"id":-1009,"type":"supergroup","is_forum":true},"from":{"id":1,"first_name":"A"},
                 "reply_to_message":{"message_id":42,"date":1790000000,"chat":{"id":-1009,"type":"supergroup"}}}}
                """
            )
        )
        #expect(envelope.origin.topic == 42)
        #expect(envelope.replyTo == nil)
    }

    @Test func editsAreTheirOwnEventsAndChannelPostsAreSignedByTheChannel() throws {
        let edit = try #require(
            try envelope(
                """
                {"update_id":12,"edited_channel_post":{"message_id":7,"date":1790000000,"edit_date":1790000100,"text":"fixed",
                 "chat":{"id":-1001,"type":"channel","title":"Acme News"}}}
                """
            )
        )
        #expect(edit.kind == .edit)
        #expect(edit.origin.messageID == "7")
        #expect(edit.origin.eventID == "-1001/7/edit/1790000100/12")
        // A second edit within the same second is another event, not a redelivery.
        let again = try #require(
            try envelope(
                """
                {"update_id":13,"edited_channel_post":{"message_id":7,"date":1790000000,"edit_date":1790000100,"text":"fixed again",
                 "chat":{"id":-1001,"type":"channel","title":"Acme News"}}}
                """
            )
        )
        #expect(again.origin.eventID != edit.origin.eventID)
        #expect(edit.sender == .init(id: "-1001", name: "Acme News"))
    }

    @Test func documentsCarryMetadataButNeverAURL() throws {
        let envelope = try #require(
            try envelope(
                """
                {"update_id":13,"message":{"message_id":8,"date":1790000000,"caption":"the contract",
                 "document":{"file_id":"BQACAgI","file_unique_id":"u","file_name":"contract.pdf","mime_type":"application/pdf","file_size":20480},
                 "chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"B"}}}
                """
            )
        )
        #expect(envelope.body.text == "the contract")
        #expect(envelope.attachments == [.init(reference: "BQACAgI", name: "contract.pdf", mimeType: "application/pdf", bytes: 20480)])
    }

    @Test func aServiceMessageIsAnEnvelopeThatSaysWhatHappenedForIntakeToRecordAsIgnored() throws {
        let retitled = try #require(
            try envelope(#"{"update_id":14,"message":{"message_id":9,"date":1790000000,"chat":{"id":5,"type":"group"},"new_chat_title":"x"}}"#)
        )
        #expect(retitled.contentKind == .service && retitled.body.text == "new_chat_title")
        let joined = try #require(
            try envelope(
                #"{"update_id":16,"message":{"message_id":10,"date":1790000000,"chat":{"id":5,"type":"group"},"from":{"id":7,"first_name":"A"},"new_chat_members":[{"id":8,"first_name":"B","is_bot":false}]}}"#
            )
        )
        #expect(joined.contentKind == .service && joined.body.text == "new_chat_members")
        // A kind of service message Gatehouse does not know by name is still one.
        let other = try #require(
            try envelope(
                #"{"update_id":17,"message":{"message_id":11,"date":1790000000,"chat":{"id":5,"type":"group"},"boost_added":{"boost_count":2}}}"#
            )
        )
        #expect(other.contentKind == .service && other.body.text == "other")
        // An update that is no message at all is no envelope.
        #expect(try envelope(#"{"update_id":15,"callback_query":{"id":"1"}}"#) == nil)
    }
}
