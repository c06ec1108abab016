import Crypto
import Foundation
import GatehouseCore

/// The signature type byte the signed-note spec assigns to Ed25519.
private let ed25519Type: UInt8 = 0x01

/// The note key ID of an Ed25519 key: SHA-256(key name || 0x0A || 0x01 || public key)[:4],
/// big-endian.
func ed25519KeyID(name: String, publicKey: [UInt8]) -> UInt32 {
    var hash = SHA256()
    hash.update(data: Array(name.utf8) + [0x0A, ed25519Type] + publicKey)
    return NoteKeyID.value(Array(hash.finalize()))
}

/// An Ed25519 public key that verifies signed-note signatures, with its key name and ID.
///
/// Its text form (a "vkey") is `<name>+<8 hex digits key ID>+<base64(0x01 || 32-byte public key)>`,
/// as in `example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k`.
public struct NoteVerifier: Sendable, Hashable, CustomStringConvertible {
    /// The key name signatures are made under.
    public let name: String
    /// The key ID derived from the name and public key.
    public let keyID: UInt32
    /// The Ed25519 public key.
    public let publicKey: Curve25519.Signing.PublicKey

    /// The 32-byte Ed25519 public key (RFC 8032 encoding).
    public var publicKeyBytes: [UInt8] { Array(publicKey.rawRepresentation) }

    /// Wraps an Ed25519 public key under a key name; the key ID is derived.
    public init(name: String, publicKey: Curve25519.Signing.PublicKey) throws(NoteError) {
        try NoteKeyName.validate(name)
        self.name = name
        self.publicKey = publicKey
        self.keyID = ed25519KeyID(name: name, publicKey: Array(publicKey.rawRepresentation))
    }

    /// Parses a verifier key string, checking that its key ID matches its name and public key.
    public init(parsing vkey: String) throws(NoteError) {
        // Never echo the input: if someone pastes a private key here, it must not end up in a log.
        if vkey.hasPrefix("PRIVATE+") {
            throw .malformedVerifierKey("this is a private signer key, not a verifier key")
        }
        // Base64 may itself contain '+', so only the first two are separators.
        let parts = vkey.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .malformedVerifierKey("verifier key must be <name>+<key id>+<base64 key>")
        }
        let name = String(parts[0])
        guard NoteKeyName.isValid(name) else {
            throw .malformedVerifierKey("verifier key has an invalid key name")
        }
        guard let keyID = NoteKeyID.parse(parts[1]) else {
            throw .malformedVerifierKey("verifier key for \(name): key ID must be 8 lowercase hex digits")
        }
        guard let material = NoteBase64.decode(parts[2]), let type = material.first else {
            throw .malformedVerifierKey("verifier key for \(name): key is not canonical base64")
        }
        guard type == ed25519Type else {
            throw .unsupportedAlgorithm("verifier key for \(name): signature type 0x\(String(type, radix: 16)) is not supported (only 0x01, Ed25519)")
        }
        guard material.count == 33, let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: material.dropFirst()) else {
            throw .malformedVerifierKey("verifier key for \(name): Ed25519 public key must be 32 bytes")
        }
        try self.init(name: name, publicKey: publicKey)
        guard self.keyID == keyID else {
            throw .keyIDMismatch(
                "verifier key for \(name): key ID \(NoteKeyID.hex(keyID)) does not match the key (expected \(NoteKeyID.hex(self.keyID)))"
            )
        }
    }

    /// The verifier key string, `<name>+<key id hex>+<base64(0x01 || public key)>`.
    public var verifierKey: String {
        "\(name)+\(NoteKeyID.hex(keyID))+\(NoteBase64.encode([ed25519Type] + publicKeyBytes))"
    }

    public var description: String { verifierKey }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.name == rhs.name && lhs.keyID == rhs.keyID && lhs.publicKeyBytes == rhs.publicKeyBytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(publicKeyBytes)
    }

    /// Whether `signature` (64 bytes, without the key ID prefix) is this key's signature of `message`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        signature.count == 64 && publicKey.isValidSignature(signature, for: message)
    }
}

/// An Ed25519 private key that signs notes under a key name.
///
/// Its text form is the Go `golang.org/x/mod/sumdb/note` signer key,
/// `PRIVATE+KEY+<name>+<8 hex digits key ID>+<base64(0x01 || 32-byte seed)>`. The key never appears in
/// `description`, `debugDescription` or a mirror, so interpolating a signer into a log is safe.
public struct NoteSigner: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The key name signatures are made under.
    public let name: String
    /// The key ID derived from the name and public key.
    public let keyID: UInt32
    /// The matching verifier.
    public let verifier: NoteVerifier
    private let privateKey: Curve25519.Signing.PrivateKey

    /// Wraps an Ed25519 private key under a key name; the key ID is derived.
    public init(name: String, privateKey: Curve25519.Signing.PrivateKey) throws(NoteError) {
        self.verifier = try NoteVerifier(name: name, publicKey: privateKey.publicKey)
        self.name = name
        self.keyID = verifier.keyID
        self.privateKey = privateKey
    }

    /// Parses a signer key string (`PRIVATE+KEY+…`), checking that its key ID matches.
    public init(parsing skey: Secret) throws(NoteError) {
        try self.init(parsing: skey.value)
    }

    /// Parses a signer key string (`PRIVATE+KEY+…`), checking that its key ID matches.
    public init(parsing skey: String) throws(NoteError) {
        // Errors name the part that is wrong, never the key's text.
        // Base64 may itself contain '+', so only the first four are separators.
        let parts = skey.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY" else {
            throw .malformedSignerKey("signer key must be PRIVATE+KEY+<name>+<key id>+<base64 key>")
        }
        let name = String(parts[2])
        guard NoteKeyName.isValid(name) else {
            throw .malformedSignerKey("signer key has an invalid key name")
        }
        guard let keyID = NoteKeyID.parse(parts[3]) else {
            throw .malformedSignerKey("signer key for \(name): key ID must be 8 lowercase hex digits")
        }
        guard let material = NoteBase64.decode(parts[4]), let type = material.first else {
            throw .malformedSignerKey("signer key for \(name): key is not canonical base64")
        }
        guard type == ed25519Type else {
            throw .unsupportedAlgorithm("signer key for \(name): signature type 0x\(String(type, radix: 16)) is not supported (only 0x01, Ed25519)")
        }
        guard material.count == 33, let privateKey = try? Curve25519.Signing.PrivateKey(rawRepresentation: material.dropFirst()) else {
            throw .malformedSignerKey("signer key for \(name): Ed25519 seed must be 32 bytes")
        }
        try self.init(name: name, privateKey: privateKey)
        guard self.keyID == keyID else {
            throw .keyIDMismatch("signer key for \(name): key ID \(NoteKeyID.hex(keyID)) does not match the key")
        }
    }

    /// Makes a new random key and returns the signer with both key strings.
    ///
    /// The private key string is wrapped in a ``Secret`` so that it cannot be logged by accident;
    /// write out `privateKey.value` only where the key is meant to be stored.
    public static func generate(name: String) throws(NoteError) -> (signer: NoteSigner, privateKey: Secret, verifierKey: String) {
        let signer = try NoteSigner(name: name, privateKey: Curve25519.Signing.PrivateKey())
        return (signer, signer.privateKeyString, signer.verifier.verifierKey)
    }

    /// The signer key string, `PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || seed)>`.
    public var privateKeyString: Secret {
        Secret("PRIVATE+KEY+\(name)+\(NoteKeyID.hex(keyID))+\(NoteBase64.encode([ed25519Type] + Array(privateKey.rawRepresentation)))")
    }

    /// The 64-byte Ed25519 signature of `message` (RFC 8032, deterministic).
    public func sign(_ message: [UInt8]) throws(NoteError) -> [UInt8] {
        do {
            return Array(try privateKey.signature(for: message))
        } catch {
            throw .signingFailed("signing with \(name) failed")
        }
    }

    /// A 256-bit key for another purpose, derived from this one with HKDF-SHA256 under `info`;
    /// knowing it reveals nothing about the signing key.
    func derivedKey(info: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: privateKey.rawRepresentation),
            salt: Data("gatehouse".utf8),
            info: Data(info.utf8),
            outputByteCount: 32
        )
    }

    public var description: String { "NoteSigner(\(verifier.verifierKey))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["name": name, "keyID": NoteKeyID.hex(keyID)]) }
}
