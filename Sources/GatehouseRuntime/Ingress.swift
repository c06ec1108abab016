import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Logging
import ServiceLifecycle

/// Takes every inbound event from every adapter, decides its crossings, commits them, and only
/// then acknowledges the event to its platform.
public struct Ingress: Service {
    private let config: GatewayConfig
    private let gate: Gate
    private let adapters: [any Adapter]
    private let ledger: any Ledger
    private let dispatcher: Dispatcher
    private let logger: Logger

    public init(config: GatewayConfig, adapters: [any Adapter], ledger: any Ledger, dispatcher: Dispatcher, logger: Logger) {
        self.config = config
        self.gate = config.gate
        self.adapters = adapters
        self.ledger = ledger
        self.dispatcher = dispatcher
        self.logger = logger
    }

    public func run() async throws {
        // Every decision from here on follows this config: the log says so before the first one.
        let loaded = try await ledger.recordConfigLoaded(revision: config.revision, file: config.file, at: Date())
        logger.info("config loaded", metadata: ["gh.record": .stringConvertible(loaded.sequence), "gh.revision": .string(config.revision)])
        // Intake stops first on shutdown: cancelling the adapters' loops leaves any event that was not
        // yet committed unacknowledged, so the platform delivers it again after the restart.
        try await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                for adapter in adapters {
                    group.addTask {
                        try await adapter.receive { event in try await handle(event) }
                    }
                }
            }
        }
    }

    /// Decides, commits, acknowledges, and wakes the dispatcher for the destinations that got jobs.
    func handle(_ event: InboundEvent) async throws {
        let envelope = event.envelope
        let crossings = gate.crossings(for: envelope)
        let result = try await ledger.commit(Intake(
            envelope: envelope, crossings: crossings, configRevision: config.revision, receivedAt: Date()
        ))
        do {
            try await event.acknowledgement()
        } catch {
            // Committed, but the platform was not told (its connection dropped): it may deliver the
            // event again, and inbound dedup absorbs that. Not an intake failure.
            logger.warning("committed event could not be acknowledged; a redelivery will be deduplicated", metadata: [
                "gh.platform": .string(envelope.origin.platform), "gh.event": .string(envelope.origin.eventID),
                "gh.error": .string(String(describing: error)),
            ])
        }
        switch result {
        case .duplicate:
            logger.info("redelivered event ignored", metadata: [
                "gh.platform": .string(envelope.origin.platform), "gh.event": .string(envelope.origin.eventID),
            ])
        case .committed(let records, let jobs):
            for record in records {
                logger.info("crossing decided", metadata: [
                    "gh.crossing": .stringConvertible(record.sequence), "gh.route": .string(record.route ?? ""),
                    "gh.destination": .string(record.destination ?? ""), "gh.verdict": .string(record.verdict?.rawValue ?? ""),
                    "gh.direction": .string(record.direction?.rawValue ?? ""),
                ])
            }
            if records.isEmpty {
                logger.debug("no route takes this event", metadata: [
                    "gh.platform": .string(envelope.origin.platform), "gh.event": .string(envelope.origin.eventID),
                ])
            }
            dispatcher.notify(Set(jobs.map(\.destination)))
        }
    }
}
