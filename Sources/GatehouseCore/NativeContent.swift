import Foundation

/// A kind of content a platform shows as something other than text or a file, kept in a form a
/// destination can send again natively: a shared location, a venue, a contact card, a poll, a die,
/// a sticker (whose file is the envelope's attachment of kind ``ContentKind/sticker``).
///
/// The envelope's text carries the same content as `label` (`[location: 31.23, 121.47]`), which
/// the checks read. A destination that can carry the kind sends the native form and leaves the
/// label out; one that cannot shows the label, the placeholder. The native form crosses only when
/// the label crossed untouched: a poll whose question a route redacts crosses as its redacted
/// label, never as the poll (the checks judge what is sent).
public struct NativeContent: Sendable, Hashable, Codable {
    /// The text in the envelope's body that stands for the content.
    public var label: String
    public var shape: Shape

    public init(label: String, shape: Shape) {
        self.label = label
        self.shape = shape
    }

    /// The content kind it is.
    public var kind: ContentKind {
        switch shape {
        case .location: .location
        case .venue: .venue
        case .contact: .contact
        case .poll: .poll
        case .dice: .dice
        case .sticker: .sticker
        case .labelled(let kind): kind
        }
    }

    /// What a destination needs to send it again.
    public enum Shape: Sendable, Hashable, Codable {
        case location(latitude: Double, longitude: Double)
        case venue(latitude: Double, longitude: Double, title: String, address: String)
        case contact(phoneNumber: String, firstName: String, lastName: String?)
        /// A poll's question and options (a new poll: votes do not cross).
        case poll(question: String, options: [String], anonymous: Bool, multipleAnswers: Bool)
        /// A die of this emoji, thrown again at the destination (its value is the platform's).
        case dice(emoji: String)
        /// A sticker: the file is the attachment of kind sticker.
        case sticker(emoji: String?)
        /// A kind no destination sends again (a story, a game, an invoice, a checklist): its
        /// label is all that crosses, or the route's placeholder for it.
        case labelled(ContentKind)
    }

    /// `body` without the label (and the line break or space that set it apart), its spans moved to
    /// match, or nil when the label is not in it as it was written: then the text is what crosses,
    /// and the native form does not.
    public func body(withoutLabelIn body: RichText) -> RichText? {
        let text = body.text
        guard !label.isEmpty, let range = text.range(of: label, options: .backwards) else { return nil }
        var start = range.lowerBound
        var end = range.upperBound
        if start > text.startIndex, text[text.index(before: start)] == "\n" || text[text.index(before: start)] == " " {
            start = text.index(before: start)
        } else if end < text.endIndex, text[end] == "\n" {
            end = text.index(after: end)
        }
        let from = text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: start)
        let removed = text.unicodeScalars.distance(from: start, to: end)
        let spans = body.spans.compactMap { span -> Span? in
            if span.offset + span.length <= from { return span }
            guard span.offset >= from + removed else { return nil }
            return Span(offset: span.offset - removed, length: span.length, style: span.style)
        }
        return RichText(text: String(text[..<start]) + String(text[end...]), spans: spans)
    }
}
