/// A transparency-log checkpoint (c2sp.org/tlog-checkpoint): the note text
///
///     <origin>
///     <tree size in decimal>
///     <base64 of the 32-byte RFC 6962 root hash>
///     [extension lines]
///
/// each line ending in a newline, signed as a C2SP signed note.
public struct Checkpoint: Sendable, Hashable {
    /// The log's identity, e.g. `gatehouse.example/audit`; by convention also the signing key name.
    public let origin: String
    /// The number of leaves in the tree.
    public let size: UInt64
    /// The RFC 6962 Merkle tree root hash at ``size`` (32 bytes).
    public let rootHash: [UInt8]
    /// Optional opaque lines after the root hash; each is non-empty. The spec discourages them.
    public let extensions: [String]

    /// Builds a checkpoint, checking that every part can be written as a valid note line.
    public init(origin: String, size: UInt64, rootHash: some Collection<UInt8>, extensions: [String] = []) throws(NoteError) {
        try Self.validateLine(origin, what: "origin")
        guard rootHash.count == 32 else {
            throw .malformedCheckpoint("root hash must be 32 bytes, found \(rootHash.count)")
        }
        for (index, line) in extensions.enumerated() {
            try Self.validateLine(line, what: "extension line \(index + 1)")
        }
        self.origin = origin
        self.size = size
        self.rootHash = Array(rootHash)
        self.extensions = extensions
    }

    /// Parses checkpoint note text strictly: at least three non-empty lines each ending in a
    /// newline, a decimal size without leading zeros, and canonical base64 of exactly 32 bytes.
    public init(parsing text: String) throws(NoteError) {
        // Split on bytes: as Characters, "\r\n" would be one and hide a stray carriage return.
        let bytes = Array(text.utf8)
        guard bytes.last == 0x0A else { throw .malformedCheckpoint("checkpoint text must end with a newline") }
        let lines = bytes.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        guard lines.count >= 3 else {
            throw .malformedCheckpoint("checkpoint needs origin, size and root hash lines, found \(lines.count) line(s)")
        }
        let sizeLine = lines[1]
        guard let size = Self.parseSize(sizeLine) else {
            throw .malformedCheckpoint("tree size must be a decimal number without leading zeros")
        }
        guard let root = NoteBase64.decode(lines[2]) else {
            throw .malformedCheckpoint("root hash is not canonical base64")
        }
        try self.init(origin: lines[0], size: size, rootHash: root, extensions: Array(lines.dropFirst(3)))
    }

    /// The note text: `origin\nsize\nbase64(root)\n` followed by each extension line and a newline.
    public var text: String {
        ([origin, String(size), NoteBase64.encode(rootHash)] + extensions).map { $0 + "\n" }.joined()
    }

    /// Signs the checkpoint and returns the complete signed note.
    ///
    /// The spec says the key name SHOULD match the origin; that is the caller's choice of names.
    public func sign(with signer: NoteSigner) throws(NoteError) -> String {
        try SignedNote.sign(text: text, signers: [signer])
    }

    /// Verifies a signed checkpoint note against `verifier` and parses its text.
    ///
    /// Signatures by other keys (witnesses, a rotated key) are ignored. Pass `origin` to also
    /// require the log identity, so a checkpoint of another log signed by the same key is refused.
    public static func verify(note: String, verifier: NoteVerifier, origin: String? = nil) throws(NoteError) -> Checkpoint {
        try verify(note: note, verifiers: [verifier], origin: origin)
    }

    /// Verifies a signed checkpoint note against any of `verifiers` and parses its text; see
    /// ``SignedNote/verify(_:)`` for the rules.
    public static func verify(note: String, verifiers: [NoteVerifier], origin: String? = nil) throws(NoteError) -> Checkpoint {
        let parsed = try SignedNote(parsing: note)
        _ = try parsed.verify(verifiers)
        let checkpoint = try Checkpoint(parsing: parsed.text)
        if let origin, checkpoint.origin != origin {
            throw .originMismatch("checkpoint is for origin \(checkpoint.origin), expected \(origin)")
        }
        return checkpoint
    }

    private static func validateLine(_ line: String, what: String) throws(NoteError) {
        guard !line.isEmpty else { throw .malformedCheckpoint("\(what) is empty") }
        // A newline would shift every later line; other control characters cannot be signed.
        guard NoteText.firstControlCharacter(line.utf8) == nil, !line.utf8.contains(0x0A) else {
            throw .malformedCheckpoint("\(what) contains a newline or control character")
        }
    }

    private static func parseSize(_ line: String) -> UInt64? {
        let digits = Array(line.utf8)
        guard !digits.isEmpty, digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        guard digits.count == 1 || digits[0] != 0x30 else { return nil }
        // UInt64(_:) returns nil on overflow.
        return UInt64(line)
    }
}
