// What the benchmarks that run the whole gateway against the emulators share, beyond the tests'
// own helpers (GatehouseTesting: services run around a body, free ports).

import Foundation
import Logging

/// A benchmark's wait that ran out.
public struct TimedOut: Error, CustomStringConvertible {
    public var what: String
    public var description: String { "timed out waiting for \(what)" }
}

/// A logger that keeps to the errors (the benchmarks' own figures are what they print).
public func quiet(_ label: String, level: Logger.Level = .error) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = level
    return logger
}

/// Polls `condition` every `interval` (the resolution of the figures) until it holds or `limit`
/// passes.
public func until(
    _ what: String,
    limit: Duration = .seconds(120),
    every interval: Duration = .milliseconds(2),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(what: what) }
        try await Task.sleep(for: interval)
    }
}
