import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Synchronization

/// The config in force, swapped whole on a reload: every decision and delivery reads one
/// snapshot, never a mix of two configs.
public final class ConfigStore: Sendable {
    /// One loaded config and what was compiled from it.
    public struct Snapshot: Sendable {
        public let config: GatewayConfig
        public let gate: Gate
        /// The (route, destination) pairs jobs may be delivered on.
        public let lanes: Set<Lane>
        /// The routes by name, for what a job's route says about its delivery.
        public let routes: [String: Route]

        init(_ config: GatewayConfig) {
            self.config = config
            self.gate = config.gate
            self.lanes = Set(config.routes.flatMap { route in route.to.map { Lane(route: route.name, destination: $0) } })
            self.routes = Dictionary(config.routes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        }

        /// Every destination some route sends to.
        public var destinations: Set<String> { Set(lanes.map(\.destination)) }
    }

    private let snapshot: Mutex<Snapshot>

    public init(_ config: GatewayConfig) {
        snapshot = Mutex(Snapshot(config))
    }

    public var current: Snapshot { snapshot.withLock { $0 } }

    /// Puts `config` in force and returns the snapshot it replaced.
    @discardableResult
    public func swap(to config: GatewayConfig) -> Snapshot {
        let new = Snapshot(config)
        return snapshot.withLock { old in
            defer { old = new }
            return old
        }
    }
}
