import ArgumentParser
import Foundation
import GatehouseLedger

/// Verifier keys given on the command line.
struct VerifierOptions: ParsableArguments {
    @Option(name: .customLong("verifier-key"), help: "The log's verifier key (<name>+<id>+<key>), as `audit keygen` printed it.")
    var verifierKeys: [String] = []

    @Option(name: .customLong("verifier-key-file"), help: "A file holding verifier keys, one a line.")
    var verifierKeyFile: String?

    func verifiers() throws -> [NoteVerifier] {
        var keys = verifierKeys
        if let verifierKeyFile {
            guard let text = try? String(contentsOfFile: verifierKeyFile, encoding: .utf8) else {
                throw CommandFailure("cannot read \(verifierKeyFile)")
            }
            keys += text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty && !$0.hasPrefix("#")
            }
        }
        return try keys.map { key in
            do {
                return try NoteVerifier(parsing: key)
            } catch {
                throw CommandFailure("not a verifier key: \(error)")
            }
        }
    }
}

/// `gatehouse audit verify`: recompute the log and check it against the signed checkpoints.
struct AuditVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the audit log and check every checkpoint's root and signature.",
        discussion: "Exits 0 when the log is intact and 1 when it is not, naming the first record that does not match."
    )

    @OptionGroup var location: StateOptions
    @OptionGroup var keys: VerifierOptions

    @Option(help: "The log's origin, when checkpoints must name it.")
    var origin: String?

    @Option(
        name: .customLong("content-key-file"),
        help:
            "Also check the stored content against the log's commitments, with this content key (as `audit content-key` prints it) or the audit signing key."
    )
    var contentKeyFile: String?

    func run() async throws {
        let contentKey = try contentKeyFile.map { path in
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CommandFailure("cannot read \(path)") }
            do {
                return try ContentKey(parsing: text)
            } catch {
                throw CommandFailure("\(path): \(error)")
            }
        }
        let verifiers = try keys.verifiers()
        let terminal = isatty(STDERR_FILENO) == 1
        let result = try location.reader().verify(verifiers: verifiers, origin: origin) { done, total in
            // A progress line on a terminal only; logs and pipes get the verdict alone.
            if terminal { FileHandle.standardError.write(Data("\rverifying \(done) of \(total) records…".utf8)) }
        }
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if let problem = result.problem {
            print("BROKEN: \(problem.reason)")
            print("\(result.records) records and \(result.checkpoints) checkpoints matched before it.")
            throw ExitCode(1)
        }
        print(
            "intact: \(result.records) records, \(result.checkpoints) checkpoints"
                + (result.signaturesChecked ? ", every signature verified" : " (signatures not checked: give --verifier-key)")
        )
        guard let contentKey else { return }
        let content = try location.reader().verifyContent(key: contentKey)
        if let problem = content.problem {
            print("BROKEN: \(problem.reason)")
            print("\(content.checked) crossings' content matched before it.")
            throw ExitCode(1)
        }
        print(
            "content intact: \(content.checked) crossings' bodies match their commitments"
                + (content.uncommitted > 0 ? " (\(content.uncommitted) recorded before commitments, not checked)" : "")
        )
    }
}

/// `gatehouse audit prove N`: an inclusion proof an auditor can check offline.
struct AuditProve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Print a C2SP tlog-proof that record N is in the log, against the newest checkpoint covering it."
    )

    @OptionGroup var location: StateOptions

    @Argument(help: "The record's number (as audit query shows it).")
    var record: Int64

    func run() async throws {
        print(try location.reader().proof(of: record), terminator: "")
    }
}
