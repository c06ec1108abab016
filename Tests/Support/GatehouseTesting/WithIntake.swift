import GatehouseCore

/// Runs `adapter`'s intake around `body`, recording every event it hands over. The `n`-th
/// delivery (from 1) is acknowledged when `acknowledge(n)` says so — by default every one.
public func withIntake<Result: Sendable>(
    _ adapter: any Adapter,
    acknowledge: @escaping @Sendable (_ delivery: Int) -> Bool = { _ in true },
    _ body: (Recorder<Envelope>) async throws -> Result
) async throws -> Result {
    let seen = Recorder<Envelope>()
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await adapter.receive { events in
                for event in events where acknowledge(seen.append(event.envelope)) { try await event.acknowledgement() }
            }
        }
        defer { group.cancelAll() }
        return try await body(seen)
    }
}
