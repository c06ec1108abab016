import AsyncHTTPClient
import Foundation
import GatehouseCore
import Logging
import Testing
@testable import TelegramAdapter

@Suite struct UpdateMappingTests {
    let adapter = TelegramAdapter(
        configuration: .init(platform: "outreach", token: Secret("1:x")), httpClient: HTTPClient.shared, logger: Logger(label: "test")
    )

    func envelope(_ json: String) throws -> Envelope? {
        adapter.envelope(from: try JSONDecoder().decode(Update.self, from: Data(json.utf8)))
    }

    @Test func aGroupMessageBecomesAPost() throws {
        let envelope = try #require(try envelope("""
            {"update_id":10,"message":{"message_id":5,"date":1790000000,"text":"hello",
             "chat":{"id":-1009,"type":"supergroup","title":"Support","username":"acme_support"},
             "from":{"id":42,"is_bot":false,"first_name":"Li","last_name":"Wei"},
             "reply_to_message":{"message_id":3,"date":1790000000,"chat":{"id":-1009,"type":"supergroup"}}}}
            """))
        #expect(envelope.kind == .post)
        #expect(envelope.origin == .init(platform: "outreach", conversation: "-1009", handle: "acme_support", messageID: "5", eventID: "-1009/5"))
        #expect(envelope.sender == .init(id: "42", name: "Li Wei"))
        #expect(envelope.body.text == "hello")
        #expect(envelope.replyTo == "3")
        #expect(envelope.time == Date(timeIntervalSince1970: 1_790_000_000))
    }

    @Test func aMessageInAForumTopicIsNotAReplyToTheTopicRoot() throws {
        let envelope = try #require(try envelope("""
            {"update_id":11,"message":{"message_id":90,"message_thread_id":42,"is_topic_message":true,"date":1790000000,
             "text":"in topic","chat":{"id":-1009,"type":"supergroup","is_forum":true},"from":{"id":1,"first_name":"A"},
             "reply_to_message":{"message_id":42,"date":1790000000,"chat":{"id":-1009,"type":"supergroup"}}}}
            """))
        #expect(envelope.origin.topic == 42)
        #expect(envelope.replyTo == nil)
    }

    @Test func editsAreTheirOwnEventsAndChannelPostsAreSignedByTheChannel() throws {
        let edit = try #require(try envelope("""
            {"update_id":12,"edited_channel_post":{"message_id":7,"date":1790000000,"edit_date":1790000100,"text":"fixed",
             "chat":{"id":-1001,"type":"channel","title":"Acme News"}}}
            """))
        #expect(edit.kind == .edit)
        #expect(edit.origin.messageID == "7")
        #expect(edit.origin.eventID == "-1001/7/edit/1790000100")
        #expect(edit.sender == .init(id: "-1001", name: "Acme News"))
    }

    @Test func documentsCarryMetadataButNeverAURL() throws {
        let envelope = try #require(try envelope("""
            {"update_id":13,"message":{"message_id":8,"date":1790000000,"caption":"the contract",
             "document":{"file_id":"BQACAgI","file_unique_id":"u","file_name":"contract.pdf","mime_type":"application/pdf","file_size":20480},
             "chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"B"}}}
            """))
        #expect(envelope.body.text == "the contract")
        #expect(envelope.attachments == [.init(reference: "BQACAgI", name: "contract.pdf", mimeType: "application/pdf", bytes: 20480)])
    }

    @Test func serviceMessagesAreNotEnvelopes() throws {
        #expect(try envelope(#"{"update_id":14,"message":{"message_id":9,"date":1790000000,"chat":{"id":5,"type":"group"},"new_chat_title":"x"}}"#) == nil)
        #expect(try envelope(#"{"update_id":15,"callback_query":{"id":"1"}}"#) == nil)
    }
}
