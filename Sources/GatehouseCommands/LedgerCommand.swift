import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseLedger

/// `gatehouse ledger …`: the ledger as a whole.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Move a ledger between backends.",
        subcommands: [LedgerCopyCommand.self]
    )
}

/// `gatehouse ledger copy --from DIR --to postgres://…`: a SQLite ledger into an empty PostgreSQL
/// one, the log, its proofs and checkpoints intact, then verified on the copy.
struct LedgerCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a SQLite ledger into an empty PostgreSQL ledger, then verify the copy.",
        discussion: """
            Stop the daemon first (the copy takes the state directory's lock, as the daemon does): \
            what it wrote after the copy began would not be copied. The target's schema is created; \
            it must hold no record. The copy is one transaction: when it fails, the target stays empty. \
            Then point `state:` at the URL (its password in state.password_file) and start the daemon.
            """
    )

    @Option(help: "The SQLite ledger's state directory.")
    var from: String

    @Option(help: "The PostgreSQL ledger: postgres://USER@HOST:PORT/DATABASE[?sslmode=…].")
    var to: String

    @Option(help: "The PostgreSQL password's file (else $PGPASSWORD).")
    var passwordFile: String?

    @Option(help: "A verifier key of the log (from `audit keygen`): the copy's checkpoint signatures are checked against it.")
    var verifierKey: [String] = []

    func run() async throws {
        let location = try StateOptions.location(to, passwordFile: passwordFile)
        guard FileManager.default.fileExists(atPath: (from as NSString).appendingPathComponent("ledger.sqlite")) else {
            throw CommandFailure("no ledger in \(from)")
        }
        let lock: StateLock
        do {
            lock = try StateLock(directory: from)
        } catch {
            throw CommandFailure("\(error) (stop the daemon before copying its ledger)")
        }
        defer { withExtendedLifetime(lock) {} }
        let verifiers = try verifierKey.map { key in
            do { return try NoteVerifier(parsing: key) } catch { throw CommandFailure("--verifier-key: \(error)") }
        }
        // Opened as the daemon opens it: migrated to this version's schema first.
        let source = try SQLLedger(directory: from, contentKey: .ephemeral())
        // A copy of a large ledger is one long transaction.
        let target = PostgresStore(location: location, timeout: .seconds(6 * 3600))
        do {
            try await target.migrate()
            let start = ContinuousClock.now
            let report = try await LedgerCopy.copy(from: source.store, to: target) { table, rows in
                print("copied \(table): \(rows) row(s)")
            }
            let rows = report.rows.reduce(0) { $0 + $1.count }
            print("copied \(rows) rows in \(ContinuousClock.now - start) to \(location)")
            let verification = try LedgerReader(store: target).verify(verifiers: verifiers)
            guard verification.intact else {
                throw CommandFailure("the copy does not verify: \(verification.problem.map { $0.reason } ?? "")")
            }
            print(
                "verified on the copy: \(verification.records) records, \(verification.checkpoints) checkpoint(s)"
                    + (verification.signaturesChecked ? ", signatures checked" : " (give --verifier-key to check the signatures too)")
            )
            try await target.close()
        } catch {
            try? await target.close()
            if error is CommandFailure { throw error }
            throw CommandFailure("\(location): \(error)")
        }
    }
}
