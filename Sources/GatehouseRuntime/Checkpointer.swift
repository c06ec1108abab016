import Foundation
import GatehouseCore
import GatehouseLedger
import Logging
import ServiceLifecycle

/// Signs a checkpoint of the audit log every `every`, or as soon as `records` records were
/// appended, and once more on shutdown. Each signed note is also written to the log, so that a
/// copy lives outside the ledger (the journal, a log collector) where whoever can change the
/// ledger cannot reach it.
public struct Checkpointer: Service, CustomStringConvertible {
    /// What the service group logs for it: its name, not its whole configuration.
    public var description: String { "Checkpointer" }

    public struct Configuration: Sendable {
        public var origin: String
        public var signer: NoteSigner
        public var every: Duration
        public var records: Int
        /// How often the log's size is looked at.
        public var poll: Duration

        public init(origin: String, signer: NoteSigner, every: Duration = .seconds(60), records: Int = 1000, poll: Duration = .seconds(1)) {
            self.origin = origin
            self.signer = signer
            self.every = every
            self.records = records
            self.poll = poll
        }
    }

    private let ledger: any AuditLedger
    private let configuration: Configuration
    private let clock: WallClock
    private let logger: Logger

    public init(ledger: any AuditLedger, configuration: Configuration, clock: WallClock = .system, logger: Logger) {
        self.ledger = ledger
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var last = ContinuousClock.now
            while !Task.isCancelled {
                try await Task.sleep(for: configuration.poll)
                let sizes = try await ledger.auditSizes()
                let grown = sizes.records - sizes.checkpointed
                if grown >= configuration.records || grown > 0 && ContinuousClock.now - last >= configuration.every {
                    try await write()
                    last = ContinuousClock.now
                }
            }
        }
        // The last word on shutdown: everything the daemon appended is covered by a signed checkpoint.
        try await write()
    }

    private func write() async throws {
        guard let (checkpoint, note) = try await ledger.checkpoint(origin: configuration.origin, signer: configuration.signer, at: clock.now) else {
            return
        }
        logger.notice(
            "audit checkpoint\n\(note)",
            metadata: [
                "gh.checkpoint.size": .stringConvertible(checkpoint.size),
                "gh.checkpoint.root": .string(Data(checkpoint.rootHash).base64EncodedString()),
            ]
        )
    }
}
