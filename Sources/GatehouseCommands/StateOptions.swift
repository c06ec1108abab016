import ArgumentParser
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger

/// Where the ledger is: `--state DIR` or `--state postgres://…`, else the `state` of `--config F`,
/// else `$STATE_DIRECTORY`, else ./state — the same default the daemon uses.
struct StateOptions: ParsableArguments {
    @Option(help: "The ledger directory, or a postgres:// URL (its password from --password-file or $PGPASSWORD).")
    var state: String?

    @Option(help: "Take the ledger from this config's `state`.")
    var config: String?

    @Option(help: "The PostgreSQL password's file, with --state postgres://….")
    var passwordFile: String?

    func directory() throws -> String {
        if let state { return state }
        if let config { return try ConfigOptions.load(config).state }
        return ProcessInfo.processInfo.environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init) ?? "./state"
    }

    /// The ledger on PostgreSQL, when it is there.
    func database() throws -> PostgresLocation? {
        if let state {
            guard PostgresLocation.isURL(state) else { return nil }
            return try Self.location(state, passwordFile: passwordFile)
        }
        if let config { return try ConfigOptions.load(config).database?.location }
        return nil
    }

    /// A reader of the ledger, wherever it is.
    func reader() throws -> LedgerReader {
        if let database = try database() { return LedgerReader(store: PostgresStore(location: database)) }
        return try LedgerReader(directory: directory())
    }

    /// A URL from the command line, its password from a file or `$PGPASSWORD` (never the command
    /// line itself, which every user of the machine can read).
    static func location(_ url: String, passwordFile: String?) throws -> PostgresLocation {
        var location: PostgresLocation
        do {
            location = try PostgresLocation(url: url)
        } catch {
            throw CommandFailure("\(url.split(separator: "@").last ?? ""): \(error)")
        }
        if location.password != nil {
            throw CommandFailure("the URL holds a password, which every user of this machine can read; use --password-file or $PGPASSWORD")
        }
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw CommandFailure("cannot read the password file \(passwordFile)")
            }
            location.password = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            location.password = ProcessInfo.processInfo.environment["PGPASSWORD"]
        }
        return location
    }
}

/// A point in time on the command line: `2026-07-01` (midnight UTC) or full ISO 8601.
struct Instant: ExpressibleByArgument {
    var date: Date

    init?(argument: String) {
        if let date = try? Date(argument, strategy: .iso8601) {
            self.date = date
        } else if let date = try? Date(argument + "T00:00:00Z", strategy: .iso8601) {
            self.date = date
        } else {
            return nil
        }
    }
}
