import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import Logging
import Metrics
import Synchronization

/// One attempt to carry out a job at its destination: the lease, the adapter call (post, edit,
/// delete, or the withdrawal a platform's refusal to delete calls for), the outcome as
/// ``DeliveryOutcome`` reads it, and its audit record, log line and count. The queue
/// (``Dispatcher``) decides which job and when; this decides nothing but reads the answer.
struct Delivery: Sendable {
    /// The largest attachment carried across (Telegram's upload limit for documents).
    static let attachmentLimit = 50 << 20

    let ledger: any OutboxLedger
    /// The adapters by platform name.
    let adapters: [String: any Adapter]
    let configuration: Dispatcher.Configuration
    /// Files being carried across: each fetched once for all its destinations, within a ceiling.
    let files = FileCache()
    let clock: WallClock
    let logger: Logger

    /// Leases `job`, carries it out at `priority`, and records the outcome; throws only when the
    /// outcome could not be recorded (the job is then still queued and is tried again).
    func attempt(_ job: OutboxJob, priority: DeliveryPriority, in snapshot: ConfigStore.Snapshot) async throws {
        if job.state == .inflight {
            // Taken for sending when the previous run stopped: it may have arrived.
            logger.warning(
                "sending again a job that was in flight when the gateway stopped; the destination may see it twice",
                metadata: [
                    "gh.job": .stringConvertible(job.id), "gh.destination": .string(job.destination), "gh.crossing": .stringConvertible(job.crossing),
                ]
            )
        }
        let leased = try await ledger.lease(job, until: clock.now.addingTimeInterval(configuration.lease.timeInterval))
        try await deliver(leased, priority: priority, in: snapshot)
    }

    private func deliver(_ job: OutboxJob, priority: DeliveryPriority, in snapshot: ConfigStore.Snapshot) async throws {
        var metadata: Logger.Metadata = [
            "gh.job": .stringConvertible(job.id), "gh.route": .string(job.route), "gh.destination": .string(job.destination),
            "gh.crossing": .stringConvertible(job.crossing),
        ]
        let config = snapshot.config
        guard var channel = config.channels[job.destination], let adapter = adapters[channel.platform] else {
            let record = try await ledger.recordDead(job, reason: "destination '\(job.destination)' is not configured", at: clock.now)
            logger.error(
                "dead-lettered: destination not configured",
                metadata: metadata.merging(["gh.record": .stringConvertible(record.sequence)]) { $1 }
            )
            count("dead", platform: config.channels[job.destination]?.platform ?? "unknown")
            return
        }
        // A channel of private chats is one customer's chat for each answer: the ticket's.
        if channel.address == .privateChats {
            guard let addressee = job.payload.addressee else {
                let record = try await ledger.recordDead(job, reason: "a message to private chats names no customer", at: clock.now)
                logger.error(
                    "dead-lettered: no customer to send to",
                    metadata: metadata.merging(["gh.record": .stringConvertible(record.sequence)]) { $1 }
                )
                count("dead", platform: channel.platform)
                return
            }
            channel.address = adapter.address(ofPrivateChat: addressee.chat)
            metadata["gh.ticket"] = .stringConvertible(addressee.ticket)
        }
        // Where on the platform, so that an operator can find the chat the platform refused.
        metadata["gh.address"] = .string(channel.address.logDescription)
        let ids: [String]
        let note: String?
        let failure: (any Error)?
        // The files this attempt fetches to send, which the delivery record commits to.
        let carried = CarriedFiles()
        do {
            (ids, note) = try await perform(job, priority: priority, with: adapter, in: channel, snapshot: snapshot, carrying: carried)
            failure = nil
        } catch {
            (ids, note, failure) = ([], nil, error)
        }
        let now = clock.now
        let error = failure as? DeliveryError
        if let error { metadata["gh.error"] = .string(error.shortDescription) }
        switch DeliveryOutcome.classify(failure, job: job, now: now, retry: configuration.retry, maxAge: configuration.maxAge) {
        case .delivered:
            let note = [note, carried.note].compactMap { $0 }.joined(separator: "; ")
            let record = try await ledger.recordDelivered(job, nativeIDs: ids, note: note.isEmpty ? nil : note, files: carried.files, at: now)
            metadata["gh.record"] = .stringConvertible(record.sequence)
            metadata["gh.native_ids"] = .string(ids.joined(separator: ","))
            logger.info("delivered", metadata: metadata)
            count("delivered", platform: channel.platform)
        case .dead(let reason):
            let record = try await ledger.recordDead(job, reason: reason, at: now)
            metadata["gh.record"] = .stringConvertible(record.sequence)
            logger.error("dead-lettered: \(reason)", metadata: metadata)
            count("dead", platform: channel.platform, error: error)
            // A customer the platform will not let us reach (they blocked the bot) closes their
            // ticket: the dead delivery's record says why. (The daemon's ledger keeps the desk too.)
            if error?.code == .unauthorized, let ticket = job.payload.addressee?.ticket, ticket > 0, let desk = ledger as? any DeskLedger {
                _ = try await desk.move(ticket, to: .closed, by: "gatehouse", at: now)
                logger.warning(
                    "the customer cannot be reached (blocked the bot?); their ticket is closed",
                    metadata: metadata.merging(["gh.ticket": .stringConvertible(ticket)]) { $1 }
                )
            }
        case .deferred(let retryAt, let delay, let reason):
            let record = try await ledger.recordDeferred(job, reason: reason, retryAt: retryAt, at: now)
            metadata["gh.record"] = .stringConvertible(record.sequence)
            metadata["gh.retry_in"] = .string(delay.description)
            logger.warning("deferred: \(reason)", metadata: metadata)
            count("deferred", platform: channel.platform, error: error)
            if error?.code == .rateLimited {
                // The platform said slow down (a 429, or DingTalk's throttling codes): a pacing
                // bug or a shared bot when this grows.
                Counter(label: "gatehouse_rate_limited_total", dimensions: [("platform", channel.platform)], factory: metrics).increment()
            }
        }
    }

    /// Posts, edits or deletes at the destination and returns the native ids the message has there
    /// now, and a note for the audit record when it was done otherwise than asked.
    private func perform(
        _ job: OutboxJob,
        priority: DeliveryPriority,
        with adapter: any Adapter,
        in channel: Channel,
        snapshot: ConfigStore.Snapshot,
        carrying carried: CarriedFiles
    ) async throws -> (ids: [String], note: String?) {
        var message = OutboundMessage(
            channel: channel,
            text: job.text,
            idempotencyKey: job.idempotencyKey,
            spans: job.payload.spans,
            attachments: job.payload.attachments,
            priority: priority,
            native: job.payload.native
        )
        if let answered = job.payload.replyTo {
            // A reply answers the answered message as it arrived here (its first part); one that
            // never arrived here makes this a plain message.
            message.replyTo = try await ledger.nativeIDs(
                platform: job.originPlatform,
                conversation: job.originConversation,
                message: answered,
                destination: job.destination
            ).first
        }
        // A desk's answer replies to the customer's message it answers, in the customer's chat.
        if message.replyTo == nil, job.action == .post, let answers = job.payload.addressee?.answers { message.replyTo = answers }
        message.connection = job.payload.addressee?.connection
        message.files = fileSource(from: job.originPlatform, for: adapter, carrying: carried)
        guard job.action != .post else {
            return (try await adapter.send(message, progress: progress(of: job)), nil)
        }
        let ids = try await ledger.nativeIDs(
            platform: job.originPlatform,
            conversation: job.originConversation,
            message: job.originMessage,
            destination: job.destination
        )
        switch job.action {
        case .post, .edit:
            // The original never arrived here (it was held, blocked, or came before the route):
            // the edited text passed the policy on its own, so it arrives as a post.
            // An edit that failed halfway left its progress: the messages in place by then.
            let current = job.deliveredParts.isEmpty ? ids : job.deliveredParts
            guard current.isEmpty else { return (try await adapter.edit(current, with: message, progress: progress(of: job)), nil) }
            return (try await adapter.send(message, progress: progress(of: job)), nil)
        case .delete:
            guard !ids.isEmpty else { return ([], nil) }
            do {
                try await adapter.delete(ids, in: channel, priority: priority)
                return ([], nil)
            } catch let error as DeliveryError where error.code == .notRemovable {
                // It must not keep saying what it said: withdrawn instead, each part still there
                // made to read the route's notice, and the audit record says so.
                let notice = snapshot.routes[job.route]?.withdrawn ?? Route.defaultWithdrawn
                let kept = try await adapter.withdraw(ids, in: channel, notice: notice, priority: priority)
                logger.warning(
                    "a copy the platform would not delete was withdrawn instead: it now reads the route's notice",
                    metadata: [
                        "gh.job": .stringConvertible(job.id), "gh.destination": .string(job.destination), "gh.detail": .string(error.detail),
                    ]
                )
                return (kept, "withdrawn: the platform refused the delete (\(error.detail)); the copy now reads the route's notice")
            }
        }
    }

    /// Where a send reports each part it delivers: the ledger, so that a retry after a failure
    /// halfway through a split message resumes after the parts that arrived.
    private func progress(of job: OutboxJob) -> PartProgress {
        PartProgress(delivered: job.deliveredParts) { [ledger, logger] ids in
            do {
                try await ledger.recordProgress(job, nativeIDs: ids)
            } catch {
                // Not fatal: a retry then sends the message again from its first part.
                logger.warning(
                    "cannot record the parts delivered so far",
                    metadata: [
                        "gh.job": .stringConvertible(job.id), "gh.error": .string("\(error)"),
                    ]
                )
            }
        }
    }

    /// The files of a job's attachments, fetched from the platform they arrived on when the
    /// destination's adapter is about to send each (for an adapter that sends files at all).
    /// Each file fetched is noted in `carried`, for the delivery record's commitments.
    private func fileSource(from platform: String, for destination: any Adapter, carrying carried: CarriedFiles) -> FileSource {
        guard destination.acceptsFiles, let origin = adapters[platform] else { return .none }
        return FileSource { [files] attachment in
            let estimate = attachment.bytes.map { min($0, Self.attachmentLimit) } ?? Self.attachmentLimit
            var file = try await files.file("\(platform)/\(attachment.reference)", estimate: estimate) {
                try await origin.download(attachment, limit: Self.attachmentLimit)
            }
            // The bytes are shared by every destination, the name is not: the cache holds the
            // name of whichever crossing fetched first, and this crossing's rules may mask it.
            if let name = attachment.name { file.name = name }
            carried.note(attachment.reference, FileDigest(name: file.name, data: file.data))
            return file
        } left: { attachment, reason in
            carried.leave(attachment.reference, name: attachment.name ?? attachment.mimeType ?? "file", because: reason)
        }
    }

    private var metrics: any MetricsFactory { configuration.metrics ?? MetricsSystem.factory }

    /// Counts one delivery outcome: `gatehouse_deliveries_total{platform, outcome, error}`, every
    /// label from a bounded set (configured platforms, outcome names, error codes).
    private func count(_ outcome: String, platform: String, error: DeliveryError? = nil) {
        Counter(
            label: "gatehouse_deliveries_total",
            dimensions: [("platform", platform), ("outcome", outcome), ("error", error?.shortDescription ?? "none")],
            factory: metrics
        ).increment()
    }
}

/// The files one delivery attempt carried (fetched to send; a retry that resumes after them
/// fetches and notes only those it still sends), and those it left behind with why.
final class CarriedFiles: Sendable {
    private struct Noted {
        var carried: [(reference: String, digest: FileDigest)] = []
        var left: [String] = []
    }

    private let noted = Mutex(Noted())

    func note(_ reference: String, _ digest: FileDigest) {
        noted.withLock { $0.carried.append((reference, digest)) }
    }

    /// An attachment that crossed as a line naming it: not carried, whatever was fetched of it.
    func leave(_ reference: String, name: String, because reason: String) {
        noted.withLock { noted in
            noted.carried.removeAll { $0.reference == reference }
            noted.left.append("\(name) (\(reason))")
        }
    }

    var files: [FileDigest] { noted.withLock { $0.carried.map(\.digest) } }

    /// What the delivery's record says of the files left behind, if any were.
    var note: String? {
        let left = noted.withLock { $0.left }
        return left.isEmpty ? nil : "files named in their place: " + left.joined(separator: "; ")
    }
}
