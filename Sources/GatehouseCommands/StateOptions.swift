import ArgumentParser
import Foundation
import GatehouseConfig

/// Where the ledger is: `--state DIR`, else the `state` of `--config F`, else `$STATE_DIRECTORY`,
/// else ./state — the same default the daemon uses.
struct StateOptions: ParsableArguments {
    @Option(help: "The ledger directory.")
    var state: String?

    @Option(help: "Take the ledger directory from this config's `state`.")
    var config: String?

    func directory() throws -> String {
        if let state { return state }
        if let config { return try ConfigOptions.load(config).state }
        return ProcessInfo.processInfo.environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init) ?? "./state"
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
