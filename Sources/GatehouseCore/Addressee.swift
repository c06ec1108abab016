/// Where a desk's answer goes: the customer of a ticket, in their own chat (a channel of private
/// chats stands for all of them), and the message of theirs it answers there.
public struct Addressee: Sendable, Hashable, Codable {
    /// The ticket's number.
    public var ticket: Int64
    /// The customer's chat, natively (a Telegram private chat's id).
    public var chat: String
    /// The native id, in that chat, of the customer's message the answer replies to.
    public var answers: String?
    /// The Telegram Business connection the customer wrote through, which the answer goes back by.
    public var connection: String?

    public init(ticket: Int64, chat: String, answers: String? = nil, connection: String? = nil) {
        self.ticket = ticket
        self.chat = chat
        self.answers = answers
        self.connection = connection
    }

    /// A desk message addressed to a ticket: `#1042 text` (leading spaces allowed). Answers the
    /// ticket's number and the text after it, or nil when the message names no ticket.
    public static func ticketReference(in body: RichText) -> (ticket: Int64, rest: RichText)? {
        let scalars = Array(body.text.unicodeScalars)
        var index = 0
        while index < scalars.count, scalars[index] == " " || scalars[index] == "\n" { index += 1 }
        guard index < scalars.count, scalars[index] == "#" else { return nil }
        index += 1
        let digitsStart = index
        while index < scalars.count, ("0"..."9").contains(scalars[index]), index - digitsStart < 12 { index += 1 }
        guard index > digitsStart, let number = Int64(String(String.UnicodeScalarView(scalars[digitsStart..<index]))) else { return nil }
        // The number ends at a space or line break (or the text): "#12a" names no ticket.
        guard index == scalars.count || scalars[index] == " " || scalars[index] == "\n" else { return nil }
        while index < scalars.count, scalars[index] == " " || scalars[index] == "\n" { index += 1 }
        let rest = String(String.UnicodeScalarView(scalars[index...]))
        let spans = body.spans.compactMap { span -> Span? in
            guard span.offset >= index else { return nil }
            return Span(offset: span.offset - index, length: span.length, style: span.style)
        }
        return (number, RichText(text: rest, spans: spans))
    }

    /// The ticket a quoted desk message was about: the first `#N` in its heading (`[#1042 Li Wei] …`).
    public static func ticket(inQuote quote: String) -> Int64? {
        let scalars = Array(quote.unicodeScalars.prefix(64))
        guard let hash = scalars.firstIndex(of: "#") else { return nil }
        var end = hash + 1
        while end < scalars.count, ("0"..."9").contains(scalars[end]), end - hash <= 12 { end += 1 }
        guard end > hash + 1 else { return nil }
        return Int64(String(String.UnicodeScalarView(scalars[(hash + 1)..<end])))
    }
}
