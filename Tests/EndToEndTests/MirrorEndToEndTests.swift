import AsyncHTTPClient
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseEmulators
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import Testing

@testable import GatehouseCommands

/// Edits and deletes following a message split into several Telegram messages, through the whole
/// gateway over the Telegram emulator: a group's posts mirrored to a channel.
@Suite(.timeLimit(.minutes(2))) struct MirrorEndToEndTests {
    static let token = "7000000002:mirror-test-token"
    static let group = TelegramEmulator.Chat(id: -1_005_550_001, type: .supergroup, title: "Partners")
    static let channelID: Int64 = -1_005_550_002

    /// The channels, checks and routes (the platform is `withTelegramGateway`'s).
    static let yaml = """
        channels:
          partners: { platform: tg, chat: \(Self.group.id) }
          mirror: { platform: tg, chat: \(Self.channelID) }
        checks:
          secret-words: { keywords: [机密] }
        routes:
          - { name: mirrored, from: partners, to: [mirror], on: { secret-words: block }, mirror: [edit, delete],
              withdrawn: "（已撤回）This message was withdrawn." }
        """

    /// A text of three Telegram messages: three paragraphs of 3,000 characters.
    static func long(_ mark: String) -> String {
        (1...3).map { "\(mark)\($0) " + String(repeating: "公告", count: 1_500) }.joined(separator: "\n")
    }

    @Test func editsAndDeletesFollowEveryPartAndAnOldCopyIsWithdrawnWhenItCannotBeDeleted() async throws {
        try await withTelegramGateway(token: Self.token, yaml: Self.yaml, body: play)
    }

    func play(_ telegram: TelegramEmulator, _ ledger: SQLLedger) async throws {
        func post(_ text: String, kind: TelegramEmulator.InjectedUpdate.Kind = .message, editing id: Int64? = nil) async throws -> Int64 {
            try await telegram.inject(.init(kind: kind, chat: Self.group, from: .init(id: 42, firstName: "Li"), text: text, messageID: id)).messageID
        }
        func outcomes() async throws -> [AuditRecord] {
            try await ledger.records(from: 1, limit: 1000).filter { $0.kind == .delivery && $0.outcome != .deferred }
        }
        func mirrored() async -> [TelegramEmulator.SentRecord] {
            await telegram.sent(chatID: String(Self.channelID))
        }

        // A post of three parts: three messages in the channel.
        let original = try await post(Self.long("A"))
        #expect(await eventually { try await outcomes().count == 1 })
        let sent = await mirrored()
        #expect(sent.map(\.method) == ["sendMessage", "sendMessage", "sendMessage"])
        let ids = sent.compactMap(\.messageID)
        let postedRight = sent.compactMap(\.text).joined() == Self.long("A")
        #expect(postedRight)

        // Edited, still three parts: each part edited in place.
        _ = try await post(Self.long("B"), kind: .editedMessage, editing: original)
        #expect(await eventually { try await outcomes().count == 2 })
        let edits = await mirrored().dropFirst(3)
        #expect(edits.map(\.method) == ["editMessageText", "editMessageText", "editMessageText"])
        #expect(edits.compactMap(\.messageID) == ids)
        let editedRight = edits.compactMap(\.text).joined() == Self.long("B")
        #expect(editedRight)

        // Edited down to one part: the first is edited, the other two go.
        _ = try await post("short now", kind: .editedMessage, editing: original)
        #expect(await eventually { try await outcomes().count == 3 })
        let shortened = await mirrored().dropFirst(6)
        #expect(shortened.map(\.method) == ["editMessageText", "deleteMessage", "deleteMessage"])
        #expect(shortened.compactMap(\.messageID) == ids)

        // Edited to something the rules block: the copy is taken back, and the crossing says why.
        _ = try await post("short now, 机密", kind: .editedMessage, editing: original)
        #expect(await eventually { try await outcomes().count == 4 })
        #expect(await mirrored().dropFirst(9).map(\.method) == ["deleteMessage"])
        let blocked = try #require(try await ledger.records(from: 1, limit: 1000).last { $0.kind == .crossing })
        #expect(blocked.verdict == .block && blocked.findings?.first?.check == "secret-words")

        // An older post, past Telegram's 48 hours, edited to something blocked: it cannot be
        // deleted, so it is withdrawn: edited to the route's notice, and the record says so.
        let old = try await post("old news")
        #expect(await eventually { try await outcomes().count == 5 })
        let oldID = try #require(await mirrored().last?.messageID)
        await telegram.advanceClock(by: .seconds(49 * 3600))
        _ = try await post("old news, 机密", kind: .editedMessage, editing: old)
        #expect(await eventually { try await outcomes().count == 6 })
        // (The refused delete changed nothing, so the emulator lists only the post and the edit.)
        let withdrawal = await mirrored().suffix(2)
        #expect(withdrawal.map(\.method) == ["sendMessage", "editMessageText"])
        #expect(withdrawal.last?.messageID == oldID && withdrawal.last?.text == "（已撤回）This message was withdrawn.")
        let last = try #require(try await outcomes().last)
        #expect(last.outcome == .delivered && last.reason?.hasPrefix("withdrawn: the platform refused the delete") == true)
        #expect(try await ledger.jobs(in: .dead, limit: 10).isEmpty)
    }
}
