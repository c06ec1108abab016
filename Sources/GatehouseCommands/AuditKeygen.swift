import ArgumentParser
import Foundation
import GatehouseLedger

/// `gatehouse audit keygen`: a new Ed25519 key for signing the audit log's checkpoints.
struct AuditKeygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an Ed25519 checkpoint signing key; print its verifier key.",
        discussion: """
            The private key goes to --out (created with mode 0600, never overwritten) in the note \
            format PRIVATE+KEY+<name>+<key id>+<key>; point audit.signing_key_file at it, or load it \
            with systemd's LoadCredential=. The verifier key printed on standard output is public: \
            give it to your auditors so that they can check checkpoints and proofs without trusting \
            Gatehouse.
            """
    )

    @Option(help: "The key's name: the log's origin, e.g. acme.example/gatehouse.")
    var name: String

    @Option(help: "Where to write the private key (must not exist).")
    var out: String

    func run() async throws {
        let (_, privateKey, verifierKey) = try NoteSigner.generate(name: name)
        // Created exclusively with owner-only permissions from the first byte: never readable by
        // others, never written through a link someone planted, never overwriting a key.
        try ExclusiveFile.create(out, contents: Data((privateKey.value + "\n").utf8))
        print(verifierKey)
    }
}

/// `gatehouse audit content-key`: the key of the log's content commitments, derived from the
/// signing key, for an auditor who must check content but must not sign checkpoints.
struct AuditContentKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "content-key",
        abstract: "Print the content commitment key derived from an audit signing key.",
        discussion: """
            Leaves commit to message bodies with HMAC-SHA256 under a key derived from the signing \
            key. This prints that key (CONTENT+KEY+…) so that an auditor can run `audit verify \
            --content-key-file` or check a body they hold, without being able to sign checkpoints. \
            It is a secret: whoever holds it can confirm guesses of short bodies.
            """
    )

    @Option(name: .customLong("signing-key-file"), help: "The audit signing key (PRIVATE+KEY+…).")
    var signingKeyFile: String

    func run() async throws {
        guard let text = try? String(contentsOfFile: signingKeyFile, encoding: .utf8) else {
            throw CommandFailure("cannot read \(signingKeyFile)")
        }
        do {
            print(try ContentKey(derivedFrom: NoteSigner(parsing: text.trimmingCharacters(in: .whitespacesAndNewlines))).text.value)
        } catch {
            throw CommandFailure("\(signingKeyFile): \(error)")
        }
    }
}
