import Logging
import ServiceLifecycle

/// Runs `services` in a ServiceGroup around `body`, then shuts them down gracefully (as SIGTERM
/// would) and waits until they have stopped. If `body` throws, the services are cancelled.
public func withServices<Result: Sendable>(
    _ services: [any Service],
    logLevel: Logger.Level = .warning,
    _ body: () async throws -> Result
) async throws -> Result {
    var logger = quietLogger("test.services")
    // Setting a level sets it for every handler, the run's log file included: only when asked.
    if logLevel != .warning { logger.logLevel = logLevel }
    let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let result: Result
        do {
            result = try await body()
        } catch {
            tasks.cancelAll()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return result
    }
}

/// A logger for tests that shows only warnings and worse, and writes every level to the run's
/// log file when CI asks for one (``TestLogFile``).
public func quietLogger(_ label: String) -> Logger {
    guard TestLogFile.isEnabled else {
        var logger = Logger(label: label)
        logger.logLevel = .warning
        return logger
    }
    return Logger(label: label) { label in
        var console = StreamLogHandler.standardError(label: label)
        console.logLevel = .warning
        return MultiplexLogHandler([console, TestLogFile.Handler(label: label)])
    }
}
