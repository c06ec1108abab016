import Crypto
import Foundation
import GatehouseCore

/// The key of the audit log's keyed commitments to content.
///
/// A leaf never holds a message body, only HMAC-SHA256(key, body). Whoever holds the key and a copy
/// of a body (an auditor, a court) can show that it is the body that crossed; whoever holds only the
/// ledger cannot guess short bodies ("yes", a phone number) from the leaves, which a plain hash
/// would allow. The commitments outlive the bodies: erasing content never breaks the log.
public struct ContentKey: Sendable {
    private let key: SymmetricKey

    /// Wraps a raw 256-bit key.
    public init(_ key: SymmetricKey) {
        self.key = key
    }

    /// The key derived from the audit signing key (HKDF-SHA256), so the one credential that
    /// signs the checkpoints also keys the commitments and no second secret has to be managed.
    public init(derivedFrom signer: NoteSigner) {
        self.init(signer.derivedKey(info: "gatehouse/content-commitment/v1"))
    }

    /// Parses the text form `CONTENT+KEY+<base64 of 32 bytes>` (what `gatehouse audit content-key`
    /// prints), or derives the key from a note signing key (`PRIVATE+KEY+…`).
    public init(parsing text: String) throws(NoteError) {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("PRIVATE+KEY+") {
            self.init(derivedFrom: try NoteSigner(parsing: text))
            return
        }
        guard text.hasPrefix(Self.prefix), let bytes = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))), bytes.count == 32 else {
            throw .malformedSignerKey("a content key is CONTENT+KEY+<base64 of 32 bytes>, or the audit signing key it derives from")
        }
        self.init(SymmetricKey(data: bytes))
    }

    /// The text form, `CONTENT+KEY+<base64>`: lets an auditor check content against the log's
    /// commitments without holding the signing key it was derived from.
    public var text: Secret {
        Secret(Self.prefix + key.withUnsafeBytes { Data($0).base64EncodedString() })
    }

    private static let prefix = "CONTENT+KEY+"

    /// A random key: for tests and throwaway demos, whose commitments nobody checks later.
    public static func ephemeral() -> ContentKey {
        ContentKey(SymmetricKey(size: .bits256))
    }

    /// The commitment to `text`: base64(HMAC-SHA256(key, UTF-8 bytes of text)); with a stored
    /// ``Payload``, to both: HMAC-SHA256(key, "gatehouse-content/v2" ‖ 0x00 ‖ UTF-8 length of
    /// text as 8 bytes big-endian ‖ text ‖ payload), so neither can be changed or moved into
    /// the other. A text that itself starts with that tag is framed too (with an empty payload),
    /// so no bare text can pass for a framed text and payload.
    public func commitment(to text: String, payload: String? = nil) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Self.message(text, payload), using: key)).base64EncodedString()
    }

    /// Whether `text` (and `payload`) is what `commitment` commits to (constant time).
    public func isCommitment(_ commitment: String, to text: String, payload: String? = nil) -> Bool {
        guard let code = Data(base64Encoded: commitment) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Self.message(text, payload), using: key)
    }

    /// The commitment to a file whose SHA-256 is `digest`: base64(HMAC-SHA256(key,
    /// "gatehouse-file/v1" ‖ 0x00 ‖ digest)). The file itself need not be at hand to write it,
    /// only to check it.
    public func commitment(toFileDigest digest: some DataProtocol) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Self.fileTag + Array(digest), using: key)).base64EncodedString()
    }

    /// Whether `file` is what `commitment` commits to (constant time).
    public func isCommitment(_ commitment: String, toFile file: some DataProtocol) -> Bool {
        guard let code = Data(base64Encoded: commitment) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Self.fileTag + Array(SHA256.hash(data: Data(file))), using: key)
    }

    private static let fileTag = Array("gatehouse-file/v1\u{0}".utf8)

    private static let frameTag = Array("gatehouse-content/v2\u{0}".utf8)

    private static func message(_ text: String, _ payload: String?) -> Data {
        let payload = payload ?? ""
        guard !payload.isEmpty || text.utf8.starts(with: frameTag) else { return Data(text.utf8) }
        var data = Data(frameTag)
        withUnsafeBytes(of: UInt64(text.utf8.count).bigEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: text.utf8)
        data.append(contentsOf: payload.utf8)
        return data
    }
}
