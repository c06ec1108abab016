import Crypto
import Foundation
import GatehouseCore
import GatehouseLedger
import Testing

/// Expects `body` to throw a `NoteError` with the given code and returns it.
@discardableResult
private func expectNoteError(
    _ code: String,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) -> NoteError? {
    do {
        try body()
        Issue.record("expected \(code), nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as NoteError {
        #expect(error.shortDescription == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected NoteError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

@Suite struct SignedNoteTests {
    // From c2sp.org/signed-note, "Verifier keys — Example".
    static let specVerifierKey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
    static let specNote = """
        This is an example message.

        — example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=

        """

    // From the Go golang.org/x/mod/sumdb/note package's examples.
    static let neumannVerifierKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let neumannSignerKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let neumannText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let neumannLine = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    // From c2sp.org/tlog-checkpoint.
    static let specCheckpointNote = """
        example.com/behind-the-sofa
        20852163
        CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

        — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=

        """

    // MARK: Spec examples

    @Test func theSpecExampleNoteVerifiesWithTheSpecVerifierKey() throws {
        let verifier = try NoteVerifier(parsing: Self.specVerifierKey)
        #expect(verifier.name == "example.com/foo")
        #expect(verifier.keyID == 0x530d_903a)
        #expect(verifier.verifierKey == Self.specVerifierKey)
        let note = try SignedNote.open(Self.specNote, verifiers: [verifier])
        #expect(note.text == "This is an example message.\n")
        #expect(note.signatures.count == 1)
        #expect(note.signatures.first?.keyID == 0x530d_903a)
    }

    @Test func theGoNoteExampleReproducesByteForByte() throws {
        let signer = try NoteSigner(parsing: Self.neumannSignerKey)
        #expect(signer.name == "PeterNeumann")
        #expect(signer.keyID == 0xc74f_20a3)
        #expect(signer.verifier.verifierKey == Self.neumannVerifierKey)
        #expect(signer.privateKeyString.value == Self.neumannSignerKey)

        // Ed25519 is deterministic, so our signature must equal Go's exactly.
        let note = try SignedNote.sign(text: Self.neumannText, signers: [signer])
        #expect(note == Self.neumannText + "\n" + Self.neumannLine)

        let verifier = try NoteVerifier(parsing: Self.neumannVerifierKey)
        let opened = try SignedNote.open(note, verifiers: [verifier])
        #expect(opened.text == Self.neumannText)
    }

    @Test func theKeyIDIsTheFirstFourBytesOfTheSpecHash() throws {
        let (signer, _, _) = try NoteSigner.generate(name: "gatehouse.example/audit")
        let publicKey = signer.verifier.publicKeyBytes
        #expect(publicKey.count == 32)
        let digest = Array(SHA256.hash(data: Array("gatehouse.example/audit".utf8) + [0x0A, 0x01] + publicKey))
        let expected = UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3])
        #expect(signer.keyID == expected)

        let line = try SignedNote.sign(text: "x\n", signers: [signer]).split(separator: "\n").last.map(String.init) ?? ""
        let decoded = try #require(Data(base64Encoded: String(line.split(separator: " ")[2])))
        #expect(decoded.count == 4 + 64)
        #expect(Array(decoded.prefix(4)) == Array(digest.prefix(4)))
    }

    @Test func theSpecNotesParseStructurally() throws {
        let checkpoint = try SignedNote(parsing: Self.specCheckpointNote)
        #expect(checkpoint.text == "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
        #expect(checkpoint.signatures.map(\.name) == ["example.com/behind-the-sofa"])
        #expect(checkpoint.note == Self.specCheckpointNote)

        // The text may hold empty lines; the last blank line separates it from the signatures.
        let poem = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n"
        let note =
            poem + "\n— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
        let parsed = try SignedNote(parsing: note)
        #expect(parsed.text == poem)
        #expect(parsed.note == note)
    }

    // MARK: Round trips and tampering

    @Test func signParseVerifyRoundTrips() throws {
        let (signer, _, verifierKey) = try NoteSigner.generate(name: "gatehouse.example/audit")
        let verifier = try NoteVerifier(parsing: verifierKey)
        let text = "first line\n\nafter an empty line — with ünïcode\n"
        let note = try SignedNote.sign(text: text, signers: [signer])
        let parsed = try SignedNote(parsing: note)
        #expect(parsed.text == text)
        #expect(parsed.note == note)
        let verified = try parsed.verify([verifier])
        #expect(verified.map(\.name) == ["gatehouse.example/audit"])
        #expect(verified.map(\.keyID) == [signer.keyID])
    }

    @Test func aChangedByteInTheTextFails() throws {
        let (signer, _, _) = try NoteSigner.generate(name: "log")
        let note = try SignedNote.sign(text: "origin\n42\n", signers: [signer])
        // Flip one bit in each byte of the text in turn, leaving the signature line untouched.
        let bytes = Array(note.utf8)
        for index in 0..<"origin\n42".utf8.count where bytes[index] != 0x0A {
            var tampered = bytes
            tampered[index] ^= 0x01
            expectNoteError("invalid_signature") { _ = try SignedNote(parsing: tampered).verify([signer.verifier]) }
        }
    }

    @Test func aChangedByteInTheSignatureFails() throws {
        let (signer, _, _) = try NoteSigner.generate(name: "log")
        let parsed = try SignedNote(parsing: SignedNote.sign(text: "hello\n", signers: [signer]))
        let original = try #require(parsed.signatures.first)
        for index in [0, 31, 32, 63] {
            var bytes = original.signature
            bytes[index] ^= 0x01
            let forged = try NoteSignature(name: original.name, keyID: original.keyID, signature: bytes)
            let note = parsed.text + "\n" + forged.line
            expectNoteError("invalid_signature") { _ = try SignedNote.open(note, verifiers: [signer.verifier]) }
        }
        // A truncated signature from a known key is a bad signature, not an unknown one.
        let short = try NoteSignature(name: original.name, keyID: original.keyID, signature: Array(original.signature.dropLast()))
        expectNoteError("invalid_signature") { _ = try SignedNote.open(parsed.text + "\n" + short.line, verifiers: [signer.verifier]) }
    }

    @Test func aSignatureByAnotherKeyWithTheSameNameFails() throws {
        let (trusted, _, _) = try NoteSigner.generate(name: "log")
        let (impostor, _, _) = try NoteSigner.generate(name: "log")
        // Its key ID differs, so it is an unknown key: ignored, and then nothing verified.
        let note = try SignedNote.sign(text: "hello\n", signers: [impostor])
        expectNoteError("unverified") { _ = try SignedNote.open(note, verifiers: [trusted.verifier]) }

        // Claiming the trusted key's ID as well makes it a known key's bad signature.
        let forged = try NoteSignature(name: "log", keyID: trusted.keyID, signature: impostor.sign(Array("hello\n".utf8)))
        expectNoteError("invalid_signature") { _ = try SignedNote.open("hello\n\n" + forged.line, verifiers: [trusted.verifier]) }
        // Even next to a good signature.
        let both = try SignedNote.sign(text: "hello\n", signers: [trusted]) + forged.line
        expectNoteError("invalid_signature") { _ = try SignedNote.open(both, verifiers: [trusted.verifier]) }
    }

    @Test func unknownSignaturesAreIgnored() throws {
        let (log, _, _) = try NoteSigner.generate(name: "log")
        let (witness, _, _) = try NoteSigner.generate(name: "witness.example")
        let (sameID, _, _) = try NoteSigner.generate(name: "other")
        let note = try SignedNote.sign(text: "hello\n", signers: [witness, log])
        // A signature sharing only the ID (but not the name) with the known key is unknown too.
        let sharedID = try NoteSignature(name: "other", keyID: log.keyID, signature: sameID.sign(Array("hello\n".utf8)))
        let withJunk = note + sharedID.line + "— unknown.example " + String(repeating: "A", count: 92) + "\n"
        let parsed = try SignedNote(parsing: withJunk)
        #expect(parsed.signatures.count == 4)
        let verified = try parsed.verify([log.verifier])
        #expect(verified.map(\.name) == ["log"])
        #expect(try parsed.verify([log.verifier, witness.verifier]).map(\.name) == ["witness.example", "log"])
        expectNoteError("unverified") { _ = try parsed.verify([]) }
    }

    @Test func theSameVerifierTwiceIsFine() throws {
        let (log, _, _) = try NoteSigner.generate(name: "log")
        let note = try SignedNote(parsing: SignedNote.sign(text: "hello\n", signers: [log]))
        #expect(try note.verify([log.verifier, log.verifier]).count == 1)
    }

    // MARK: Keys

    @Test func keyStringsRoundTrip() throws {
        let (signer, privateKey, verifierKey) = try NoteSigner.generate(name: "gatehouse.example/audit")
        #expect(privateKey.value.hasPrefix("PRIVATE+KEY+gatehouse.example/audit+"))
        #expect(verifierKey.hasPrefix("gatehouse.example/audit+"))
        let reparsed = try NoteSigner(parsing: privateKey)
        #expect(reparsed.keyID == signer.keyID)
        #expect(reparsed.verifier == signer.verifier)
        #expect(reparsed.privateKeyString.value == privateKey.value)
        let verifier = try NoteVerifier(parsing: verifierKey)
        #expect(verifier == signer.verifier)
        #expect(verifier.verifierKey == verifierKey)
        // A key parsed back signs exactly as the original.
        #expect(try reparsed.sign([1, 2, 3]) == signer.sign([1, 2, 3]))

        let parts = verifierKey.split(separator: "+", maxSplits: 2)
        #expect(parts.count == 3)
        #expect(parts[1].count == 8)
        #expect(Data(base64Encoded: String(parts[2]))?.first == 0x01)
        #expect(Data(base64Encoded: String(parts[2]))?.count == 33)
    }

    @Test func manyGeneratedKeysRoundTrip() throws {
        // Base64 key material often contains '+', the key strings' own separator.
        var sawPlus = false
        for _ in 0..<64 {
            let (signer, privateKey, verifierKey) = try NoteSigner.generate(name: "log")
            sawPlus = sawPlus || privateKey.value.split(separator: "+").count > 5
            #expect(try NoteSigner(parsing: privateKey).verifier == signer.verifier)
            #expect(try NoteVerifier(parsing: verifierKey) == signer.verifier)
        }
        #expect(sawPlus)
    }

    @Test func keyNamesAreChecked() {
        for name in ["", "has space", "has+plus", "tab\there", "nbsp\u{00A0}x", "ideographic\u{3000}space", "line\nbreak"] {
            expectNoteError("invalid_key_name") { _ = try NoteSigner.generate(name: name) }
        }
    }

    @Test func malformedVerifierKeysAreRejected() throws {
        let valid = Self.neumannVerifierKey
        let cases: [(String, String)] = [
            ("", "malformed_verifier_key"),
            ("PeterNeumann+c74f20a3", "malformed_verifier_key"),
            ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW+extra", "malformed_verifier_key"),
            ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "malformed_verifier_key"),
            ("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "malformed_verifier_key"),
            ("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "malformed_verifier_key"),
            ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "malformed_verifier_key"),
            ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy1w==", "malformed_verifier_key"),
            ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key_id_mismatch"),
            ("PeterNeumann2+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key_id_mismatch"),
            ("PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "unsupported_algorithm"),
        ]
        _ = try NoteVerifier(parsing: valid)
        for (key, code) in cases {
            expectNoteError(code) { _ = try NoteVerifier(parsing: key) }
        }
    }

    @Test func malformedSignerKeysAreRejectedWithoutEchoingTheKey() throws {
        let seed = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
        let cases: [(String, String)] = [
            ("PRIVATE+KEY+PeterNeumann+c74f20a3", "malformed_signer_key"),
            ("PUBLIC+KEY+PeterNeumann+c74f20a3+" + seed, "malformed_signer_key"),
            ("PRIVATE+KEY+PeterNeumann+c74f20a4+" + seed, "key_id_mismatch"),
            ("PRIVATE+KEY+Peter Neumann+c74f20a3+" + seed, "malformed_signer_key"),
            ("PRIVATE+KEY+PeterNeumann+c74f20a3+" + String(seed.dropLast()), "malformed_signer_key"),
            ("PRIVATE+KEY+PeterNeumann+c74f20a3+AoEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "unsupported_algorithm"),
        ]
        for (key, code) in cases {
            let error = expectNoteError(code) { _ = try NoteSigner(parsing: key) }
            #expect(error.map { !"\($0)".contains("AYEKFALV") && !"\($0)".contains("FGyNhPJEMzD1") } ?? true)
        }
        // Pasting the private key where a verifier key belongs must not echo it either.
        let error = expectNoteError("malformed_verifier_key") { _ = try NoteVerifier(parsing: Self.neumannSignerKey) }
        #expect(error.map { !"\($0)".contains("AYEKFALV") } ?? true)
    }

    @Test func aSignerNeverDescribesItsPrivateKey() throws {
        let signer = try NoteSigner(parsing: Self.neumannSignerKey)
        for text in ["\(signer)", String(reflecting: signer), "\(Mirror(reflecting: signer).children.map { "\($0.value)" })"] {
            #expect(!text.contains("AYEKFALV"))
            #expect(!text.contains("FGyNhPJEMzD1"))
        }
        #expect("\(signer)".contains(Self.neumannVerifierKey))
        let (_, privateKey, _) = try NoteSigner.generate(name: "log")
        #expect("\(privateKey)" == "<redacted>")
    }

    // MARK: Malformed notes

    @Test func malformedNotesAreRejected() throws {
        let (signer, _, _) = try NoteSigner.generate(name: "log")
        let good = try SignedNote.sign(text: "hello\n", signers: [signer])
        let line = String(good.dropFirst("hello\n\n".count))
        let cases: [(String, String)] = [
            ("", "empty"),
            ("hello\n", "no blank line"),
            ("hello\n\n", "no signature lines"),
            (String(good.dropLast()), "no final newline"),
            ("hello\n\n" + line + "\n", "blank line after the signatures"),
            ("hello\r\n\n" + line, "carriage return"),
            ("hel\tlo\n\n" + line, "tab"),
            ("hello\n\n- log AAAAAAAA\n", "hyphen instead of em dash"),
            ("hello\n\n—log AAAAAAAA\n", "no space after the dash"),
            ("hello\n\n— logAAAAAAAA\n", "no space after the name"),
            ("hello\n\n— log \n", "empty signature"),
            ("hello\n\n— log AAAA\n", "too short for a key ID and signature"),
            ("hello\n\n— log AAAAAAA\n", "base64 without padding"),
            ("hello\n\n— log AAAAAAB=\n", "non-canonical base64"),
            ("hello\n\n— log AAAA AAAA\n", "space inside base64"),
            ("hello\n\n— lo+g AAAAAAAA\n", "plus in the name"),
            ("hello\n\n— log\u{00A0}x AAAAAAAA\n", "unicode space in the name"),
            ("hello\n\n" + line + "hello\n", "text after the signatures"),
        ]
        for (note, why) in cases {
            let error = expectNoteError("malformed_note") { _ = try SignedNote(parsing: note) }
            if error == nil { Issue.record("accepted: \(why)") }
        }
        // Invalid UTF-8 can only arrive as bytes.
        var bytes = Array(good.utf8)
        bytes[1] = 0xFF
        expectNoteError("malformed_note") { _ = try SignedNote(parsing: bytes) }
        _ = try SignedNote(parsing: Array(good.utf8))
    }

    @Test func sixteenSignaturesAreAcceptedAndTooManyAreNot() throws {
        let (log, _, _) = try NoteSigner.generate(name: "log")
        let note = try SignedNote.sign(text: "hello\n", signers: [log])
        let junk = "— junk.example " + String(repeating: "A", count: 92) + "\n"
        let sixteen = note + String(repeating: junk, count: 15)
        #expect(try SignedNote(parsing: sixteen).signatures.count == 16)
        _ = try SignedNote.open(sixteen, verifiers: [log.verifier])
        expectNoteError("malformed_note") { _ = try SignedNote(parsing: note + String(repeating: junk, count: SignedNote.maxSignatures)) }
    }

    @Test func signingRejectsTextThatCouldNotBeParsedBack() throws {
        let (signer, _, _) = try NoteSigner.generate(name: "log")
        expectNoteError("invalid_text") { _ = try SignedNote.sign(text: "no newline", signers: [signer]) }
        expectNoteError("invalid_text") { _ = try SignedNote.sign(text: "", signers: [signer]) }
        expectNoteError("invalid_text") { _ = try SignedNote.sign(text: "cr\r\n", signers: [signer]) }
        expectNoteError("invalid_text") { _ = try SignedNote.sign(text: "nul\u{0}\n", signers: [signer]) }
        expectNoteError("no_signers") { _ = try SignedNote.sign(text: "ok\n", signers: []) }
        // Text ending in empty lines still round-trips: the last blank line is the separator.
        let note = try SignedNote.sign(text: "a\n\n", signers: [signer])
        #expect(try SignedNote.open(note, verifiers: [signer.verifier]).text == "a\n\n")
    }

    // MARK: Checkpoints

    @Test func theSpecCheckpointTextParses() throws {
        let text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        let checkpoint = try Checkpoint(parsing: text)
        #expect(checkpoint.origin == "example.com/behind-the-sofa")
        #expect(checkpoint.size == 20_852_163)
        #expect(checkpoint.rootHash == Array(try #require(Data(base64Encoded: "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="))))
        #expect(checkpoint.extensions.isEmpty)
        #expect(checkpoint.text == text)
        #expect(try Checkpoint(parsing: SignedNote(parsing: Self.specCheckpointNote).text) == checkpoint)
    }

    @Test func checkpointTextIsExact() throws {
        let root = [UInt8](repeating: 0xAB, count: 32)
        let checkpoint = try Checkpoint(origin: "gatehouse.example/audit", size: 0, rootHash: root)
        #expect(checkpoint.text == "gatehouse.example/audit\n0\n" + Data(root).base64EncodedString() + "\n")
        let extended = try Checkpoint(origin: "o", size: 7, rootHash: root, extensions: ["ext one", "ext:two"])
        #expect(extended.text == "o\n7\n" + Data(root).base64EncodedString() + "\next one\next:two\n")
        #expect(try Checkpoint(parsing: extended.text) == extended)
        let max = try Checkpoint(origin: "o", size: .max, rootHash: root)
        #expect(try Checkpoint(parsing: max.text).size == UInt64.max)
    }

    @Test func malformedCheckpointTextIsRejected() {
        let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
        let cases: [(String, String)] = [
            ("o\n0123\n\(root)\n", "leading zero"),
            ("o\n00\n\(root)\n", "double zero"),
            ("o\n-1\n\(root)\n", "negative"),
            ("o\n+1\n\(root)\n", "plus sign"),
            ("o\n 1\n\(root)\n", "space"),
            ("o\n1.0\n\(root)\n", "decimal point"),
            ("o\n\n\(root)\n", "empty size"),
            ("o\n18446744073709551616\n\(root)\n", "overflow"),
            ("o\n١\n\(root)\n", "non-ASCII digit"),
            ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n", "missing padding"),
            ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n", "non-canonical base64"),
            ("o\n1\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n", "URL-safe alphabet"),
            ("o\n1\nnot base64!\n", "bad base64"),
            ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n", "30-byte hash"),
            ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2IA\n", "33-byte hash"),
            ("o\n1\n\n", "empty hash"),
            ("\n1\n\(root)\n", "empty origin"),
            ("o\n1\n\(root)", "no final newline"),
            ("o\n1\n", "two lines"),
            ("", "empty"),
            ("o\n1\n\(root)\n\n", "empty extension line"),
            ("o\n1\n\(root)\next\n\nmore\n", "empty line between extensions"),
            ("o\r\n1\n\(root)\n", "carriage return"),
        ]
        for (text, why) in cases {
            let error = expectNoteError("malformed_checkpoint") { _ = try Checkpoint(parsing: text) }
            if error == nil { Issue.record("accepted: \(why)") }
        }
        let root32 = [UInt8](repeating: 0, count: 32)
        expectNoteError("malformed_checkpoint") { _ = try Checkpoint(origin: "", size: 1, rootHash: root32) }
        expectNoteError("malformed_checkpoint") { _ = try Checkpoint(origin: "a\nb", size: 1, rootHash: root32) }
        expectNoteError("malformed_checkpoint") { _ = try Checkpoint(origin: "o", size: 1, rootHash: root32.dropLast()) }
        expectNoteError("malformed_checkpoint") { _ = try Checkpoint(origin: "o", size: 1, rootHash: root32, extensions: [""]) }
    }

    @Test func checkpointsSignAndVerify() throws {
        let (signer, _, verifierKey) = try NoteSigner.generate(name: "gatehouse.example/audit")
        let verifier = try NoteVerifier(parsing: verifierKey)
        let checkpoint = try Checkpoint(origin: "gatehouse.example/audit", size: 12, rootHash: Array(SHA256.hash(data: [1])))
        let note = try checkpoint.sign(with: signer)
        #expect(note.hasPrefix(checkpoint.text + "\n— gatehouse.example/audit "))
        #expect(try Checkpoint.verify(note: note, verifier: verifier) == checkpoint)
        #expect(try Checkpoint.verify(note: note, verifier: verifier, origin: "gatehouse.example/audit") == checkpoint)
        expectNoteError("origin_mismatch") { _ = try Checkpoint.verify(note: note, verifier: verifier, origin: "other.example/log") }

        // A witness cosignature is ignored; a tampered size is not.
        let (witness, _, _) = try NoteSigner.generate(name: "witness.example")
        let cosigned = note + String(try SignedNote.sign(text: checkpoint.text, signers: [witness]).dropFirst(checkpoint.text.count + 1))
        #expect(try SignedNote(parsing: cosigned).signatures.count == 2)
        #expect(try Checkpoint.verify(note: cosigned, verifier: verifier) == checkpoint)
        expectNoteError("invalid_signature") {
            _ = try Checkpoint.verify(note: note.replacingOccurrences(of: "\n12\n", with: "\n13\n"), verifier: verifier)
        }
        let (other, _, _) = try NoteSigner.generate(name: "gatehouse.example/audit")
        expectNoteError("unverified") { _ = try Checkpoint.verify(note: note, verifier: other.verifier) }

        // A note that verifies but is not a checkpoint is refused.
        let notCheckpoint = try SignedNote.sign(text: "hello\n", signers: [signer])
        expectNoteError("malformed_checkpoint") { _ = try Checkpoint.verify(note: notCheckpoint, verifier: verifier) }
    }
}
