import GatehouseCore
import Synchronization

/// The robot messages one Stream connection received, committed in batches.
///
/// The connection's reader hands each robot message here and goes on reading (and answering
/// pings); a committer takes everything waiting at once and commits it in one handler call. A
/// burst — the backlog the platform pushes when a connection opens after a takeover — is then
/// one transaction, not one per message: DingTalk pushes a robot message once, so the shorter
/// the time between its arrival and its commit, the less a kill can lose. At most ``limit``
/// messages wait; past that the reader waits too.
final class RobotBatch: Sendable {
    struct Item: Sendable {
        var event: InboundEvent
        var messageID: String
    }

    private struct State {
        var waiting: [Item] = []
        var committing = false
        var finished = false
        /// Messages added, and messages whose commit has ended, since the connection opened (in
        /// order: a batch is everything that waited).
        var added = 0
        var handled = 0
    }

    static let limit = 1_000
    private let state = Mutex(State())
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init() {
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Adds a message for the committer (waiting while ``limit`` are waiting already).
    func add(_ item: Item) async {
        while state.withLock({ $0.waiting.count >= Self.limit }), !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(5))
        }
        state.withLock {
            $0.waiting.append(item)
            $0.added += 1
        }
        wake.yield()
    }

    /// No more messages come: the committer ends once it has committed what waits.
    func finish() {
        state.withLock { $0.finished = true }
        wake.yield()
        wake.finish()
    }

    /// Commits what waits, batch by batch, until ``finish()`` and everything is committed.
    func run(_ commit: ([Item]) async -> Void) async {
        var iterator = wakes.makeAsyncIterator()
        while true {
            let batch = state.withLock { state -> [Item] in
                let batch = state.waiting
                state.waiting.removeAll()
                state.committing = !batch.isEmpty
                return batch
            }
            if !batch.isEmpty {
                await commit(batch)
                state.withLock {
                    $0.committing = false
                    $0.handled += batch.count
                }
                continue
            }
            if state.withLock({ $0.finished && $0.waiting.isEmpty }) { return }
            guard await iterator.next() != nil else {
                // Finished: one last look at what waits.
                if state.withLock({ $0.waiting.isEmpty }) { return }
                continue
            }
        }
    }

    /// Whether nothing waits and nothing is being committed.
    var isIdle: Bool { state.withLock { $0.waiting.isEmpty && !$0.committing } }

    /// How many messages have been added so far: a mark for ``hasHandled(_:)``.
    var added: Int { state.withLock { $0.added } }

    /// Whether the first `mark` messages added have been through a commit (whatever its outcome).
    /// Unlike ``isIdle`` this comes true under steady traffic too: what arrives after the mark
    /// does not hold it back.
    func hasHandled(_ mark: Int) -> Bool { state.withLock { $0.handled >= mark } }
}
