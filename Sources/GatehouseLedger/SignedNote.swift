import Foundation

/// A signed-note, key or checkpoint failure (C2SP signed-note and tlog-checkpoint).
///
/// Messages name key names and positions, never key material: a private key must not reach a log
/// through an error.
public struct NoteError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String {
        case malformedNote = "malformed_note"
        case invalidText = "invalid_text"
        case invalidKeyName = "invalid_key_name"
        case malformedVerifierKey = "malformed_verifier_key"
        case malformedSignerKey = "malformed_signer_key"
        case unsupportedAlgorithm = "unsupported_algorithm"
        case keyIDMismatch = "key_id_mismatch"
        case ambiguousVerifier = "ambiguous_verifier"
        case invalidSignature = "invalid_signature"
        case unverified
        case noSigners = "no_signers"
        case signingFailed = "signing_failed"
        case malformedCheckpoint = "malformed_checkpoint"
        case originMismatch = "origin_mismatch"
    }

    private let code: Code
    public let detail: String

    /// The stable error code, e.g. `invalid_signature`.
    public var shortDescription: String { code.rawValue }
    public var description: String { "\(code.rawValue): \(detail)" }

    static func malformedNote(_ detail: String) -> Self { Self(code: .malformedNote, detail: detail) }
    static func invalidText(_ detail: String) -> Self { Self(code: .invalidText, detail: detail) }
    static func invalidKeyName(_ detail: String) -> Self { Self(code: .invalidKeyName, detail: detail) }
    static func malformedVerifierKey(_ detail: String) -> Self { Self(code: .malformedVerifierKey, detail: detail) }
    static func malformedSignerKey(_ detail: String) -> Self { Self(code: .malformedSignerKey, detail: detail) }
    static func unsupportedAlgorithm(_ detail: String) -> Self { Self(code: .unsupportedAlgorithm, detail: detail) }
    static func keyIDMismatch(_ detail: String) -> Self { Self(code: .keyIDMismatch, detail: detail) }
    static func ambiguousVerifier(_ detail: String) -> Self { Self(code: .ambiguousVerifier, detail: detail) }
    static func invalidSignature(_ detail: String) -> Self { Self(code: .invalidSignature, detail: detail) }
    static func unverified(_ detail: String) -> Self { Self(code: .unverified, detail: detail) }
    static func noSigners(_ detail: String) -> Self { Self(code: .noSigners, detail: detail) }
    static func signingFailed(_ detail: String) -> Self { Self(code: .signingFailed, detail: detail) }
    static func malformedCheckpoint(_ detail: String) -> Self { Self(code: .malformedCheckpoint, detail: detail) }
    static func originMismatch(_ detail: String) -> Self { Self(code: .originMismatch, detail: detail) }
}

/// One signature line of a signed note: `— <name> base64(key ID || signature)`.
public struct NoteSignature: Sendable, Hashable {
    /// The signing key's name.
    public let name: String
    /// The signing key's 32-bit ID (the first four bytes of the decoded signature, big-endian).
    public let keyID: UInt32
    /// The signature proper, without the key ID prefix.
    public let signature: [UInt8]

    /// Builds a signature line's content; `name` must be a valid key name.
    public init(name: String, keyID: UInt32, signature: [UInt8]) throws(NoteError) {
        try NoteKeyName.validate(name)
        guard !signature.isEmpty else { throw .malformedNote("signature by \(name) is empty") }
        self.name = name
        self.keyID = keyID
        self.signature = signature
    }

    /// The line as it appears in a note, including the trailing newline.
    public var line: String {
        "\u{2014} \(name) \(NoteBase64.encode(NoteKeyID.bytes(keyID) + signature))\n"
    }
}

/// A C2SP signed note (c2sp.org/signed-note): a text ending in a newline, a blank line, and one or
/// more signature lines.
///
/// Parsing only checks structure. The text must not be trusted until ``verify(_:)`` (or
/// ``open(_:verifiers:)``) has succeeded against the keys the caller trusts.
public struct SignedNote: Sendable, Hashable {
    /// The note text, including its final newline but not the separating blank line.
    public let text: String
    /// The signatures in the order they appear, known and unknown keys alike.
    public let signatures: [NoteSignature]

    /// The most signatures a parsed note may carry. The spec requires accepting at least 16; the
    /// Go implementation stops at 100, which also bounds the work an oversized note can cause.
    public static let maxSignatures = 100

    /// Parses a note's structure without verifying any signature.
    public init(parsing note: String) throws(NoteError) {
        try self.init(parsing: Array(note.utf8))
    }

    /// Parses a note's structure from raw bytes (as read from a file) without verifying any
    /// signature. Bytes that are not valid UTF-8 are rejected rather than repaired.
    public init(parsing bytes: [UInt8]) throws(NoteError) {
        guard NoteText.isValidUTF8(bytes) else { throw .malformedNote("note is not valid UTF-8") }
        if let offset = NoteText.firstControlCharacter(bytes) {
            throw .malformedNote("note contains a control character at byte \(offset)")
        }
        // The text is separated from the signatures by the last empty line, so the text itself
        // may contain empty lines.
        guard let split = NoteText.lastBlankLine(bytes) else {
            throw .malformedNote("note has no blank line before its signatures")
        }
        let textBytes = bytes[..<(split + 1)]
        let block = bytes[(split + 2)...]
        guard !block.isEmpty else { throw .malformedNote("note has no signature lines") }
        guard block.last == 0x0A else { throw .malformedNote("note does not end with a newline") }

        var signatures: [NoteSignature] = []
        // Dropping the final newline leaves lines separated by newlines, none of them empty:
        // an empty one would have been the last blank line.
        for (index, line) in block.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            guard signatures.count < Self.maxSignatures else {
                throw .malformedNote("note has more than \(Self.maxSignatures) signatures")
            }
            signatures.append(try Self.parseSignatureLine(Array(line), number: index + 1))
        }
        self.text = String(decoding: textBytes, as: UTF8.self)
        self.signatures = signatures
    }

    private static let dashSpace: [UInt8] = Array("\u{2014} ".utf8)

    private static func parseSignatureLine(_ line: [UInt8], number: Int) throws(NoteError) -> NoteSignature {
        guard line.starts(with: dashSpace) else {
            throw .malformedNote("signature line \(number) does not start with an em dash and a space")
        }
        let rest = line.dropFirst(dashSpace.count)
        guard let space = rest.firstIndex(of: 0x20) else {
            throw .malformedNote("signature line \(number) has no space between key name and signature")
        }
        let name = String(decoding: rest[..<space], as: UTF8.self)
        let encoded = String(decoding: rest[(space + 1)...], as: UTF8.self)
        guard NoteKeyName.isValid(name) else {
            throw .malformedNote("signature line \(number) has an invalid key name")
        }
        guard let decoded = NoteBase64.decode(encoded) else {
            throw .malformedNote("signature line \(number) (\(name)) is not canonical base64")
        }
        guard decoded.count > 4 else {
            throw .malformedNote("signature line \(number) (\(name)) is too short to hold a key ID and a signature")
        }
        return try NoteSignature(name: name, keyID: NoteKeyID.value(decoded.prefix(4)), signature: Array(decoded.dropFirst(4)))
    }

    /// The note in its wire form: text, blank line, signature lines.
    public var note: String {
        text + "\n" + signatures.map(\.line).joined()
    }

    /// Verifies the note against the trusted keys and returns the signatures that verified.
    ///
    /// Signatures whose key name and ID do not both match a trusted key are ignored, as the spec
    /// requires. Every signature from a trusted key must verify, and at least one must be present.
    public func verify(_ verifiers: [NoteVerifier]) throws(NoteError) -> [NoteSignature] {
        let known = try Self.index(verifiers)
        let message = Array(text.utf8)
        var verified: [NoteSignature] = []
        for signature in signatures {
            guard let verifier = known[KeyRef(name: signature.name, keyID: signature.keyID)] else { continue }
            // The spec says a bad signature from a known key SHOULD reject the whole note; we do,
            // because it means either tampering or a key we trust signing something else.
            guard verifier.isValidSignature(signature.signature, for: message) else {
                throw .invalidSignature("signature by \(signature.name) (\(NoteKeyID.hex(signature.keyID))) does not verify")
            }
            verified.append(signature)
        }
        guard !verified.isEmpty else {
            let names = Set(verifiers.map(\.name)).sorted().joined(separator: ", ")
            throw .unverified("no signature from a trusted key (\(names.isEmpty ? "none given" : names))")
        }
        return verified
    }

    /// Parses and verifies a note in one step; see ``verify(_:)``.
    public static func open(_ note: String, verifiers: [NoteVerifier]) throws(NoteError) -> SignedNote {
        let parsed = try SignedNote(parsing: note)
        _ = try parsed.verify(verifiers)
        return parsed
    }

    /// Signs `text` with each signer and returns the complete note.
    ///
    /// The text must end with a newline and contain no control characters other than newline.
    public static func sign(text: String, signers: [NoteSigner]) throws(NoteError) -> String {
        let message = Array(text.utf8)
        try NoteText.validateForSigning(message)
        guard !signers.isEmpty else { throw .noSigners("a note needs at least one signer") }
        var lines = ""
        for signer in signers {
            let signature = try signer.sign(message)
            lines += try NoteSignature(name: signer.name, keyID: signer.keyID, signature: signature).line
        }
        return text + "\n" + lines
    }

    private struct KeyRef: Hashable {
        let name: String
        let keyID: UInt32
    }

    private static func index(_ verifiers: [NoteVerifier]) throws(NoteError) -> [KeyRef: NoteVerifier] {
        var known: [KeyRef: NoteVerifier] = [:]
        for verifier in verifiers {
            let ref = KeyRef(name: verifier.name, keyID: verifier.keyID)
            if let existing = known[ref], existing != verifier {
                // Two different keys under one name and ID: we could not tell which one a
                // signature claims, so refuse rather than guess.
                throw .ambiguousVerifier("two different keys share name \(verifier.name) and ID \(NoteKeyID.hex(verifier.keyID))")
            }
            known[ref] = verifier
        }
        return known
    }
}

/// Byte-level checks on note text. Everything works on UTF-8 bytes, never on `Character`s,
/// because Swift's grapheme clustering would merge "\r\n" and compare canonically equivalent
/// strings as equal, while signatures cover exact bytes.
enum NoteText {
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        String(validating: bytes, as: UTF8.self) != nil
    }

    /// The offset of the first ASCII control character other than newline, if any.
    static func firstControlCharacter(_ bytes: some Collection<UInt8>) -> Int? {
        for (offset, byte) in bytes.enumerated() where byte < 0x20 && byte != 0x0A {
            return offset
        }
        return nil
    }

    /// The index of the first newline of the last "\n\n" pair.
    static func lastBlankLine(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        var index = bytes.count - 2
        while index >= 0 {
            if bytes[index] == 0x0A && bytes[index + 1] == 0x0A { return index }
            index -= 1
        }
        return nil
    }

    static func validateForSigning(_ message: [UInt8]) throws(NoteError) {
        guard message.last == 0x0A else { throw .invalidText("note text must end with a newline") }
        if let offset = firstControlCharacter(message) {
            throw .invalidText("note text contains a control character at byte \(offset)")
        }
    }
}

/// Key names: non-empty, no Unicode spaces, no '+'.
enum NoteKeyName {
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && !name.unicodeScalars.contains { $0.properties.isWhitespace || $0 == "+" }
            && NoteText.firstControlCharacter(Array(name.utf8)) == nil
    }

    static func validate(_ name: String) throws(NoteError) {
        guard isValid(name) else {
            throw .invalidKeyName("key name must be non-empty and contain no spaces, '+' or control characters")
        }
    }
}

/// Key IDs: a big-endian uint32, written as 8 lowercase hex digits.
enum NoteKeyID {
    static func bytes(_ id: UInt32) -> [UInt8] {
        [UInt8(id >> 24), UInt8((id >> 16) & 0xFF), UInt8((id >> 8) & 0xFF), UInt8(id & 0xFF)]
    }

    static func value(_ bytes: some Collection<UInt8>) -> UInt32 {
        bytes.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func hex(_ id: UInt32) -> String {
        let digits = String(id, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Parses exactly 8 lowercase hex digits, the form the spec defines.
    static func parse(_ text: Substring) -> UInt32? {
        guard text.utf8.count == 8, text.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            return nil
        }
        return UInt32(text, radix: 16)
    }
}

/// Standard base64 (RFC 4648 §4), decoded strictly: padding required, no whitespace, and the
/// encoding must be canonical, so one value has exactly one accepted spelling.
enum NoteBase64 {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let text = String(text)
        guard !text.isEmpty, let data = Data(base64Encoded: text), data.base64EncodedString() == text else {
            return nil
        }
        return Array(data)
    }
}
