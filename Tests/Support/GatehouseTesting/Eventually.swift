import Foundation

/// Polls `condition` until it holds or `timeout` passes; returns whether it held. A condition that
/// throws counts as not holding yet. For waiting on asynchronous effects (a delivery, an
/// acknowledgement), never for measuring speed.
public func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return (try? await condition()) == true
}
