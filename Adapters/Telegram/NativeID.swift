import GatehouseCore

/// A native id as the message map keeps it: the Telegram message id, marked when the message is a
/// file (`file:123`) or a file that carries the text as its caption (`caption:123`), so that a
/// later edit knows what each message of a send is, whatever the edit itself carries. A location,
/// venue, contact, poll or die sent natively is `native:123`: it has neither text nor caption.
struct NativeID: Hashable {
    enum Role: String {
        case text, file, caption, native
    }

    var role: Role
    var messageID: Int64

    init(_ role: Role, _ messageID: Int64) {
        self.role = role
        self.messageID = messageID
    }

    /// Reads `123`, `file:123`, `caption:123` or `native:123`.
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

/// How Telegram sends each form of file.
extension ContentKind {
    /// The method that uploads a file in this form, and the field its bytes go in.
    var upload: (method: String, field: String) {
        switch self {
        case .photo: ("sendPhoto", "photo")
        case .animation: ("sendAnimation", "animation")
        case .video: ("sendVideo", "video")
        case .videoNote: ("sendVideoNote", "video_note")
        case .voice: ("sendVoice", "voice")
        case .audio: ("sendAudio", "audio")
        case .sticker: ("sendSticker", "sticker")
        default: ("sendDocument", "document")
        }
    }

    /// Whether a message of this form has a caption (a sticker and a video note have none).
    var takesCaption: Bool { self != .sticker && self != .videoNote }

    /// Whether its upload takes a `duration`.
    var hasDuration: Bool { self == .video || self == .voice || self == .audio || self == .animation || self == .videoNote }

    /// Which files may share an album (sendMediaGroup): photos with videos, documents with
    /// documents, audio with audio; nil for a form no album takes.
    var albumClass: String? {
        switch self {
        case .photo, .video: "visual"
        case .document: "document"
        case .audio: "audio"
        default: nil
        }
    }

    /// Its `InputMedia` type in an album.
    var albumType: String {
        switch self {
        case .photo: "photo"
        case .video: "video"
        case .audio: "audio"
        default: "document"
        }
    }
}
