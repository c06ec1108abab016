/// A native id as the message map keeps it: the Telegram message id, marked when the message is a
/// file (`file:123`) or a file that carries the text as its caption (`caption:123`), so that a
/// later edit knows what each message of a send is, whatever the edit itself carries.
struct NativeID: Hashable {
    enum Role: String {
        case text, file, caption
    }

    var role: Role
    var messageID: Int64

    init(_ role: Role, _ messageID: Int64) {
        self.role = role
        self.messageID = messageID
    }

    /// Reads `123`, `file:123` or `caption:123`.
    init?(_ text: String) {
        let pieces = text.split(separator: ":", maxSplits: 1)
        if pieces.count == 2 {
            guard let role = Role(rawValue: String(pieces[0])), role != .text, let id = Int64(pieces[1]) else { return nil }
            self.init(role, id)
        } else {
            guard let id = Int64(text) else { return nil }
            self.init(.text, id)
        }
    }

    var text: String {
        role == .text ? String(messageID) : "\(role.rawValue):\(messageID)"
    }
}
