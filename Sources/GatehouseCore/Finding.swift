/// What a check found in an envelope: which check and detector, and where — never the matched text.
public struct Finding: Sendable, Hashable, Codable {
    /// The configured check's name (`pii`).
    public var check: String
    /// The detector that fired (`cn_mobile`).
    public var detector: String
    /// Offset of the match in Unicode scalars of the text.
    public var offset: Int
    /// Length of the match in Unicode scalars.
    public var length: Int
    /// Where the match is when not in the message's text: in another string from outside that
    /// is sent with it (``Field``), its offset and length then counted in that string.
    public var field: String?

    public init(check: String, detector: String, offset: Int, length: Int, field: String? = nil) {
        self.check = check
        self.detector = detector
        self.offset = offset
        self.length = length
        self.field = field
    }

    /// The strings from outside that leave with a message besides its text, each checked like
    /// the text: what a sender calls themselves goes out wherever a template says `{sender.name}`.
    public enum Field {
        public static let senderName = "sender.name"
        public static let senderDepartment = "sender.dept"

        /// The file name of the attachment at `index`.
        public static func attachmentName(_ index: Int) -> String { "attachment.\(index).name" }
    }
}
