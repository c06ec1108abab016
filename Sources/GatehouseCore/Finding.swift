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

    public init(check: String, detector: String, offset: Int, length: Int) {
        self.check = check
        self.detector = detector
        self.offset = offset
        self.length = length
    }
}
