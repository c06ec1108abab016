import Foundation
import GatehouseCore
import Synchronization

/// An in-process platform for tests: post envelopes into it, script send failures, and read what
/// was sent and acknowledged.
public final class FakeAdapter: Adapter {
    public let platform: String
    private let inbox: AsyncStream<Envelope>
    private let inboxContinuation: AsyncStream<Envelope>.Continuation
    private let state = Mutex(State())

    private struct State {
        var sent: [OutboundMessage] = []
        var acknowledged: [String] = []
        var failures: [any Error] = []
        var nextID = 1
        var attempts = 0
        var failAcknowledgements = false
        var edits: [(ids: [String], message: OutboundMessage)] = []
        var deletes: [[String]] = []
        var handlerErrors: [String] = []
        var sendDelay: Duration = .zero
    }

    /// Each send takes this long from now on (a slow platform); cancellable, like a request.
    public func delaySends(by delay: Duration) {
        state.withLock { $0.sendDelay = delay }
    }

    public init(platform: String) {
        self.platform = platform
        (inbox, inboxContinuation) = AsyncStream.makeStream(of: Envelope.self)
    }

    /// Queues an inbound event, as if a person had posted it.
    public func post(_ envelope: Envelope) {
        inboxContinuation.yield(envelope)
    }

    /// The next sends fail with these errors, in order.
    public func failNextSends(with errors: [any Error]) {
        state.withLock { $0.failures.append(contentsOf: errors) }
    }

    /// From now on, calling an acknowledgement throws, as when the platform's connection dropped.
    public func failAcknowledgements() {
        state.withLock { $0.failAcknowledgements = true }
    }

    /// Errors the handler threw back at this adapter (intake failures), as text.
    public var handlerErrors: [String] { state.withLock { $0.handlerErrors } }

    public var sent: [OutboundMessage] { state.withLock { $0.sent } }
    /// Edits, with the native ids they replaced, in order.
    public var edits: [(ids: [String], message: OutboundMessage)] { state.withLock { $0.edits } }
    /// Deletions, by the native ids removed.
    public var deletes: [[String]] { state.withLock { $0.deletes } }
    /// Event ids whose acknowledgement was called, in order.
    public var acknowledged: [String] { state.withLock { $0.acknowledged } }
    /// Send attempts, failed ones included.
    public var attempts: Int { state.withLock { $0.attempts } }

    public func receive(_ handler: @escaping InboundHandler) async throws {
        for await envelope in inbox {
            let eventID = envelope.origin.eventID
            do {
                try await handler([
                    InboundEvent(
                        envelope: envelope,
                        acknowledgement: Acknowledgement {
                            try self.state.withLock { state in
                                if state.failAcknowledgements { throw DeliveryError.network("connection closed") }
                                state.acknowledged.append(eventID)
                            }
                        }
                    )
                ])
            } catch {
                state.withLock { $0.handlerErrors.append(String(describing: error)) }
            }
        }
    }

    public func send(_ message: OutboundMessage, progress: PartProgress) async throws -> [String] {
        let delay = state.withLock { state in
            state.attempts += 1
            return state.sendDelay
        }
        if delay > .zero { try await Task.sleep(for: delay) }
        return try state.withLock { state in
            if !state.failures.isEmpty { throw state.failures.removeFirst() }
            state.sent.append(message)
            defer { state.nextID += 1 }
            return ["\(platform)-\(state.nextID)"]
        }
    }

    public func edit(_ nativeIDs: [String], with message: OutboundMessage, progress: PartProgress) async throws -> [String] {
        state.withLock { $0.edits.append((nativeIDs, message)) }
        return nativeIDs
    }

    public func delete(_ nativeIDs: [String], in channel: Channel, priority: DeliveryPriority) async throws {
        state.withLock { $0.deletes.append(nativeIDs) }
    }
}
