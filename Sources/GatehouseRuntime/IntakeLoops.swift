import Synchronization

/// How many intake loops of adapters that stand down (``GatehouseCore/Adapter/standsDown``) still
/// run: a standing-down instance waits for them to end before it stops.
final class IntakeLoops: Sendable {
    private let count = Mutex(0)

    func started() {
        count.withLock { $0 += 1 }
    }

    func ended() {
        count.withLock { $0 -= 1 }
    }

    var running: Int { count.withLock { $0 } }
}
