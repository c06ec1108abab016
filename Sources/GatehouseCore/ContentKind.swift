/// What a message is, beyond its text: a photo, a sticker, a poll, a shared location. Every kind a
/// platform sends becomes an envelope with its kind, so that nothing posted in a routed chat
/// vanishes without a decision and a record; a check can name kinds (`kinds: [sticker, poll]`).
///
/// A kind a destination cannot carry crosses as a labelled placeholder in the text (`[sticker 😀]`,
/// `[location: 31.23, 121.47]`), which the adapter that read it writes, so that the checks see
/// what a poll asks or a contact card says (a phone number is a phone number wherever it is).
public enum ContentKind: String, Sendable, Hashable, Codable, CaseIterable {
    case text
    case photo
    case document
    case animation
    case video
    case videoNote = "video_note"
    case voice
    case audio
    case sticker
    case story
    case poll
    case checklist
    case location
    case venue
    case contact
    case dice
    case game
    case invoice
    case paidMedia = "paid_media"
    case livePhoto = "live_photo"
    case giveaway
    /// A service message (someone joined, a message was pinned, the title changed): recorded as
    /// ignored, never decided or sent on. Its text is what happened (`new_chat_members`).
    case service

    /// The config's names of every kind, for error messages.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// A kind by its config name: the Bot API's Message field names, and DingTalk's msgtypes
    /// `picture` and `file` for what they are (a DingTalk `audio` message is a voice note, but
    /// `audio` names the Bot API's music files: write `voice` for it).
    public init?(named name: String) {
        switch name {
        case "picture": self = .photo
        case "file": self = .document
        default: self.init(rawValue: name)
        }
    }
}
