import Foundation
import GatehouseCore
import Testing

@testable import DingTalkAdapter

/// Every robot message type the receiving documentation defines becomes an envelope with its
/// kind: a file, a voice message or a video no longer vanishes at the door.
@Suite struct RobotMessageKindTests {
    let adapter = DingTalkWireTests().adapter

    func envelope(_ type: String, _ content: String) throws -> Envelope? {
        let message = try JSONDecoder().decode(
            RobotMessage.self,
            from: Data(
                """
                {"msgtype":"\(type)","content":\(content),"msgId":"msgK","createAt":1790000000000,
                 "conversationType":"2","conversationId":"cidAAA==","senderStaffId":"m01","senderNick":"王经理","robotCode":"dingabc"}
                """.utf8
            )
        )
        return adapter.envelope(from: message)
    }

    @Test func aFileIsADocumentWithItsName() throws {
        let envelope = try #require(try envelope("file", #"{"downloadCode":"DC1","fileName":"钉钉让进步发生.pdf"}"#))
        #expect(envelope.contentKind == .document)
        #expect(envelope.attachments == [.init(reference: "DC1", name: "钉钉让进步发生.pdf")])
    }

    @Test func aVoiceMessageCarriesWhatDingTalkHeardAsTextForTheChecks() throws {
        let envelope = try #require(try envelope("audio", #"{"duration":4000,"downloadCode":"DC2","recognition":"我的手机是13812345678"}"#))
        #expect(envelope.contentKind == .voice)
        #expect(envelope.body.text == "[voice: 我的手机是13812345678]")
        #expect(envelope.attachments.map(\.reference) == ["DC2"])
        // A voice note, 4 seconds long (DingTalk gives milliseconds).
        #expect(envelope.attachments.first?.form == .voice && envelope.attachments.first?.duration == 4)
        let unheard = try #require(try self.envelope("audio", #"{"duration":4000,"downloadCode":"DC3"}"#))
        #expect(unheard.body.text == "[voice]")
    }

    @Test func aVideoIsAVideoOfItsContainer() throws {
        let envelope = try #require(try envelope("video", #"{"duration":4000,"downloadCode":"DC4","videoType":"mp4"}"#))
        #expect(envelope.contentKind == .video)
        #expect(envelope.attachments == [.init(reference: "DC4", name: "video.mp4", mimeType: "video/mp4", kind: .video, duration: 4)])
    }

    @Test func aPictureIsAPhoto() throws {
        let envelope = try #require(try envelope("picture", #"{"downloadCode":"DC5"}"#))
        #expect(envelope.contentKind == .photo)
        #expect(envelope.attachments.first?.isPhoto == true)
    }
}
