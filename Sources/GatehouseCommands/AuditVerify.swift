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
            keys += text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
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

    func run() async throws {
        let verifiers = try keys.verifiers()
        let terminal = isatty(STDERR_FILENO) == 1
        let result = try LedgerReader(directory: location.directory()).verify(verifiers: verifiers, origin: origin) { done, total in
            // A progress line on a terminal only; logs and pipes get the verdict alone.
            if terminal { FileHandle.standardError.write(Data("\rverifying \(done) of \(total) records…".utf8)) }
        }
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if let problem = result.problem {
            print("BROKEN: \(problem.reason)")
            print("\(result.records) records and \(result.checkpoints) checkpoints matched before it.")
            throw ExitCode(1)
        }
        print("intact: \(result.records) records, \(result.checkpoints) checkpoints"
            + (result.signaturesChecked ? ", every signature verified" : " (signatures not checked: give --verifier-key)"))
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
        print(try LedgerReader(directory: location.directory()).proof(of: record), terminator: "")
    }
}
