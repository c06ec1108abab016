import Foundation
import GatehouseConfig
import GatehouseCore

extension Dispatcher {
    /// The queues' state, behind one lock: while open, each destination's doorbell (rung when a
    /// job is queued or a deferral is due), the queues not yet worked, the channels as of the
    /// last config applied, and when a reload moved each destination; once the graceful shutdown
    /// began, nothing (no queue starts, no job is taken).
    enum State {
        case open(Queues)
        case stopping

        /// The queues while open; nil once the shutdown began.
        var queues: Queues? {
            if case .open(let queues) = self { queues } else { nil }
        }

        struct Queues {
            var doorbells: [String: AsyncStream<Void>.Continuation] = [:]
            /// The queues not yet being worked, for `run` to start.
            var unworked: [String: AsyncStream<Void>] = [:]
            /// The channels the queues follow, as of the last config applied.
            var applied: [String: Channel]
            /// When a reload pointed a destination's channel elsewhere: jobs queued before were
            /// decided for the old place and never go to the new one.
            var movedAt: [String: Date] = [:]

            /// Opens a queue for `destination`, its doorbell rung once so that whatever a previous
            /// run left queued is drained.
            mutating func open(_ destination: String) {
                let (stream, doorbell) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
                doorbell.yield()
                doorbells[destination] = doorbell
                unworked[destination] = stream
            }
        }
    }
}
