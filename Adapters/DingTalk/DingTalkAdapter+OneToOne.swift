import Foundation
import GatehouseCore

extension DingTalkAdapter {
    /// How often a part is offered again, a second apart, to people the platform flow-controlled.
    static let flowControlAttempts = 5

    /// Sends to people in their one-to-one chats with the app robot (`oToMessages/batchSend`).
    /// Each part goes to everyone it has not reached yet: people the platform flow-controls get
    /// it again a second later, so the others do not get it twice; staff ids the platform does
    /// not know are named in the log and skipped (a part that reaches nobody is refused).
    func sendOneToOne(_ message: OutboundMessage, to users: [String], progress: PartProgress) async throws -> [String] {
        var keys = progress.delivered
        for (msgKey, param) in try msgParams(for: Self.content(of: message), format: message.format).dropFirst(keys.count) {
            var pending = users
            var firstKey: String?
            for attempt in 1...Self.flowControlAttempts {
                let response: OneToOneSendResponse = try await authorized { token throws(DeliveryError) in
                    try await api.post(
                        "/v1.0/robot/oToMessages/batchSend",
                        OneToOneSend(robotCode: configuration.robotCode, userIds: pending, msgKey: msgKey, msgParam: param),
                        accessToken: token
                    )
                }
                firstKey = firstKey ?? response.processQueryKey
                let invalid = Set(response.invalidStaffIdList ?? [])
                if !invalid.isEmpty {
                    logger.error(
                        "DingTalk does not know these staff ids; they get nothing",
                        metadata: [
                            "gh.channel": .string(message.channel.name), "gh.users": .string(invalid.sorted().joined(separator: ",")),
                        ]
                    )
                }
                if invalid.count == users.count {
                    throw DeliveryError.notFound("oToMessages/batchSend: none of the channel's staff ids is known to DingTalk")
                }
                let throttled = Set(response.flowControlledStaffIdList ?? [])
                pending = pending.filter { throttled.contains($0) }
                if pending.isEmpty { break }
                guard attempt < Self.flowControlAttempts else {
                    // The whole part is retried later: those it reached may see it twice (at
                    // least once, never lost).
                    throw DeliveryError.rateLimited(retryAfter: .seconds(10), "oToMessages/batchSend: \(pending.count) people still flow-controlled")
                }
                try await Task.sleep(for: .seconds(1))
            }
            keys.append(firstKey ?? "")
            await progress.record(keys)
        }
        return keys
    }

    /// A custom robot message that @-mentions `mentions`: the people are in `at`, and the text
    /// names each one it does not name yet, since DingTalk notifies but shows no @ otherwise.
    /// Only a message's first part mentions anyone, so a long message notifies once.
    static func mentioning(_ mentions: Channel.Mentions, in body: CustomRobotMessage, isFirstPart: Bool) -> CustomRobotMessage {
        guard isFirstPart, !mentions.isEmpty else { return body }
        var body = body
        body.at = .init(atMobiles: mentions.mobiles, atUserIds: mentions.userIDs, isAtAll: mentions.all)
        func named(_ text: String, lineBreak: String) -> String {
            // @all needs no name: the client shows it from isAtAll.
            let missing = (mentions.userIDs + mentions.mobiles).filter { !text.contains("@" + $0) }.map { "@" + $0 }
            return missing.isEmpty ? text : text + lineBreak + missing.joined(separator: " ")
        }
        if let text = body.text { body.text = .init(content: named(text.content, lineBreak: "\n")) }
        if let markdown = body.markdown {
            body.markdown = .init(title: markdown.title, text: named(markdown.text, lineBreak: DingTalkMarkdown.lineBreak))
        }
        return body
    }
}
