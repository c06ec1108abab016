import Logging
import ServiceLifecycle

/// The loop the gateway's housekeeping services share (dedup pruning, content retention, the
/// summaries of refused pushes): a round every interval until the graceful shutdown.
enum Periodic {
    /// Runs `round` at once (or, with `waitFirst`, after the first interval) and then every
    /// `interval`, until the graceful shutdown or cancellation. A round that fails is logged as
    /// `failure` and tried again next round: housekeeping is never urgent enough to stop the
    /// gateway, and never quiet about failing.
    static func run(
        every interval: Duration,
        waitFirst: Bool = false,
        logger: Logger,
        failure: String,
        _ round: @escaping @Sendable () async throws -> Void
    ) async {
        try? await cancelWhenGracefulShutdown {
            if waitFirst { try await Task.sleep(for: interval) }
            while !Task.isCancelled {
                do {
                    try await round()
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("\(failure); retrying later", metadata: ["gh.error": .string(String(describing: error))])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
