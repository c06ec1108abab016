import Foundation
import GatehouseCore

/// What a body carries besides its text: its formatting, its attachments (metadata) and the
/// message it replies to. Stored beside the text, and covered by the same commitment: a link's
/// hidden target or a file's name is content that crossed as much as the text is.
public struct Payload: Sendable, Hashable, Codable {
    public var spans: [Span]
    public var attachments: [Envelope.Attachment]
    /// The origin's native id of the message this one replies to.
    public var replyTo: String?
    /// The content in its native form (a location, a poll, a sticker), whose label is in the text.
    public var native: NativeContent?
    /// For a desk's answer: the customer it goes to (see ``Addressee``).
    public var addressee: Addressee?

    public init(
        spans: [Span] = [],
        attachments: [Envelope.Attachment] = [],
        replyTo: String? = nil,
        native: NativeContent? = nil,
        addressee: Addressee? = nil
    ) {
        self.spans = spans
        self.attachments = attachments
        self.replyTo = replyTo
        self.native = native
        self.addressee = addressee
    }

    enum CodingKeys: String, CodingKey {
        case spans, attachments, native, addressee
        case replyTo = "reply_to"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        spans = try container.decodeIfPresent([Span].self, forKey: .spans) ?? []
        attachments = try container.decodeIfPresent([Envelope.Attachment].self, forKey: .attachments) ?? []
        replyTo = try container.decodeIfPresent(String.self, forKey: .replyTo)
        native = try container.decodeIfPresent(NativeContent.self, forKey: .native)
        addressee = try container.decodeIfPresent(Addressee.self, forKey: .addressee)
    }

    public var isEmpty: Bool { spans.isEmpty && attachments.isEmpty && replyTo == nil && native == nil && addressee == nil }

    /// The stored form: JSON with sorted keys, or nil when there is nothing besides the text (then
    /// the commitment is to the text alone, exactly as before payloads existed).
    public var stored: String? {
        guard !isEmpty else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, integers and arrays of them cannot fail.
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Reads the stored form (nil or empty: no payload).
    public init(stored: String?) throws {
        guard let stored, !stored.isEmpty else {
            self.init()
            return
        }
        self = try JSONDecoder().decode(Payload.self, from: Data(stored.utf8))
    }
}
