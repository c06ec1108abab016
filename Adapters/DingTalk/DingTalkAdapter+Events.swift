import Foundation
import GatehouseCore
import Logging

extension DingTalkAdapter {
    /// The event that says an announcement was published (at its scheduled time, if it had one).
    static let announcementEvent = "blackboard_sent"
    /// A robot message was recalled (by a person, or by a recall call).
    static let recallEvent = "robot_msg_recall"
    /// The label every announcement envelope carries, for routes and templates to tell them apart.
    static let announcementLabel = "announcement"
    /// The label of an announcement DingTalk marks confidential (保密, `privateLevel` 20).
    static let confidentialLabel = "confidential"

    /// What an EVENT's ACK says: consumed, or not consumed and to be pushed again later.
    enum EventStatus {
        case success
        case later(String)

        /// The ACK's `data`: `{"status":"SUCCESS"|"LATER","message":…}` (the protocol page's form).
        var data: String {
            let (status, message) =
                switch self {
                case .success: ("SUCCESS", "success")
                case .later(let reason): ("LATER", reason)
                }
            let json = try? JSONSerialization.data(withJSONObject: ["status": status, "message": message], options: [.sortedKeys])
            return json.map { String(decoding: $0, as: UTF8.self) } ?? #"{"status":"SUCCESS","message":"success"}"#
        }
    }

    /// Handles an EVENT frame. An announcement is fetched, committed as an envelope and only then
    /// confirmed; when it cannot be read now or not committed, the ACK says LATER and the
    /// platform pushes it again (its eventId makes the second one a duplicate if the first did
    /// commit). Events no route can take are confirmed at once.
    func handleEvent(
        _ frame: DownstreamFrame,
        handler: InboundHandler,
        ack: @escaping @Sendable (EventStatus) async throws -> Void
    ) async throws {
        if frame.header("eventType") == Self.recallEvent {
            try await handleRecall(frame, handler: handler, ack: ack)
            return
        }
        guard frame.header("eventType") == Self.announcementEvent else {
            try await ack(.success)
            return
        }
        guard let eventID = frame.header("eventId"), !eventID.isEmpty, let data = frame.data,
            let event = try? JSONDecoder().decode(BlackboardSentEvent.self, from: Data(data.utf8))
        else {
            // Malformed beyond use: pushing it again would not make it readable.
            logger.error("ignoring a blackboard_sent event without eventId or blackboardId")
            try await ack(.success)
            return
        }
        var logger = self.logger
        logger[metadataKey: "gh.event"] = .string(eventID)
        logger[metadataKey: "gh.announcement"] = .string(event.blackboardId)
        let blackboard: Blackboard
        do {
            blackboard = try await authorized { token throws(DeliveryError) in
                try await api.get(
                    "/v1.0/blackboard/get_blackboard",
                    query: [("blackboardId", event.blackboardId)],
                    accessToken: token,
                    // The connection's frames wait meanwhile: not so long that its watchdog fires.
                    timeout: .seconds(10)
                )
            }
        } catch {
            if error.isPermanent {
                // Deleted before it could be read, or the app lacks the permission: nothing will
                // change on a later push. Said loudly, since an announcement did not cross.
                logger.error("an announcement cannot be read and does not cross", metadata: ["gh.error": .string(error.description)])
                try await ack(.success)
            } else {
                logger.warning(
                    "an announcement cannot be read now; the platform will push it again",
                    metadata: ["gh.error": .string(error.description)]
                )
                try await ack(.later("announcement not readable yet"))
            }
            return
        }
        guard let envelope = announcement(blackboard, event: event, eventID: eventID, bornAt: frame.header("eventBornTime")) else {
            logger.info("an announcement without title or content has nothing to cross")
            try await ack(.success)
            return
        }
        do {
            try await handler([InboundEvent(envelope: envelope, acknowledgement: Acknowledgement { try await ack(.success) })])
        } catch {
            logger.error(
                "an announcement could not be committed; the platform will push it again",
                metadata: [
                    "gh.error": .string(String(describing: error))
                ]
            )
            try await ack(.later("not committed"))
        }
    }

    /// The envelope of an announcement: its title (bold) over its content, posted in the
    /// platform's announcements, labelled `announcement` (and `confidential` when DingTalk says so).
    /// Inbound dedup keys on the eventId, which a redelivered push keeps.
    func announcement(_ blackboard: Blackboard, event: BlackboardSentEvent, eventID: String, bornAt: String?) -> Envelope? {
        let title = blackboard.title?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let content = blackboard.content?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !title.isEmpty || !content.isEmpty else { return nil }
        let body: RichText
        switch (title.isEmpty, content.isEmpty) {
        case (false, false):
            body = RichText(text: title + "\n" + content, spans: [Span(offset: 0, length: title.unicodeScalars.count, style: .bold)])
        case (false, true):
            body = RichText(text: title, spans: [Span(offset: 0, length: title.unicodeScalars.count, style: .bold)])
        default:
            body = RichText(text: content)
        }
        var labels: Set<String> = [Self.announcementLabel]
        if (blackboard.privateLevel ?? 0) >= 20 { labels.insert(Self.confidentialLabel) }
        let attachments = (blackboard.attachments ?? []).compactMap { file -> Envelope.Attachment? in
            guard let dentry = file.dentryId, !dentry.isEmpty else { return nil }
            var name = file.fileName
            if let type = file.fileType, !type.isEmpty, let given = name, !given.lowercased().hasSuffix("." + type.lowercased()) {
                name = given + "." + type
            }
            return Envelope.Attachment(reference: "dentry:\(file.spaceId ?? "")/\(dentry)", name: name)
        }
        let born = bornAt.flatMap(Int64.init).map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) }
        let sender = blackboard.senderStaffId ?? ""
        return Envelope(
            origin: .init(
                platform: platform,
                conversation: Channel.announcementConversation,
                messageID: blackboard.id ?? event.blackboardId,
                eventID: eventID
            ),
            // The event names the author by staff id alone; that is the name a template gets.
            sender: .init(id: sender, name: sender),
            kind: .post,
            body: body,
            attachments: attachments,
            time: born ?? Date(),
            labels: labels
        )
    }

    /// A copy Gatehouse sent was recalled in DingTalk: an envelope that says which and by whom,
    /// which intake records (`copy_recalled`), confirmed once committed.
    func handleRecall(
        _ frame: DownstreamFrame,
        handler: InboundHandler,
        ack: @escaping @Sendable (EventStatus) async throws -> Void
    ) async throws {
        guard let eventID = frame.header("eventId"), !eventID.isEmpty, let data = frame.data,
            let event = try? JSONDecoder().decode(RobotRecallEvent.self, from: Data(data.utf8)), !event.processQueryKey.isEmpty
        else {
            logger.error("ignoring a robot_msg_recall event without eventId or processQueryKey")
            try await ack(.success)
            return
        }
        let envelope = Envelope(
            origin: .init(
                platform: platform,
                conversation: event.openConversationId ?? "",
                messageID: event.processQueryKey,
                eventID: "recall:" + eventID
            ),
            sender: .init(id: event.userId ?? "", name: event.userId ?? ""),
            kind: .delete,
            body: .init(text: ""),
            time: event.operatTime.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) } ?? Date(),
            labels: [Envelope.recalledCopyLabel],
            contentKind: .service
        )
        do {
            try await handler([InboundEvent(envelope: envelope, acknowledgement: Acknowledgement { try await ack(.success) })])
        } catch {
            logger.error(
                "a recall could not be recorded; the platform will push it again",
                metadata: ["gh.error": .string(String(describing: error))]
            )
            try await ack(.later("not committed"))
        }
    }
}

/// `robot_msg_recall`'s data (the Stream form): which robot message, where, by whom, when.
struct RobotRecallEvent: Decodable {
    var processQueryKey: String
    var openConversationId: String?
    var userId: String?
    /// Milliseconds (the documentation's spelling).
    var operatTime: Int64?
}
