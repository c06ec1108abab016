import Foundation
import GatehouseCore
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import Testing

@testable import GatehouseCommands

#if canImport(Glibc)
import Glibc
#endif

/// `gatehouse holds approve|reject` obeys the route's reviewers as a card does: a Unix group
/// admits its members, anyone else is refused (and recorded), and four eyes are two people.
extension AdminCommandTests {
    /// The caller's primary group, by name.
    static var primaryGroup: String {
        guard let entry = getgrgid(getgid()), let name = entry.pointee.gr_name else { return "root" }
        return String(cString: name)
    }

    @Test func aMemberOfTheReviewersGroupCountsAsOneOfTwo() async throws {
        try await running(review: ", reviewers: [group:\(Self.primaryGroup)], approvals: 2") { _ in
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "m1", text: "机密: Q3"))
            #expect(await eventually { try await heldIDs().count == 1 })
            let id = try #require(try await heldIDs().first)
            try await command(["holds", "approve", String(id), "--reason", "looks fine"], as: Holds.Approve.self).run()
            let vote = try #require(try await ledger.records(from: 1, limit: 100).first { $0.kind == .holdVote })
            #expect(vote.reviewer?.via == .unix && vote.reviewer?.id == String(getuid()))
            #expect(vote.reviewer?.department?.contains(Self.primaryGroup) == true)
            #expect(vote.review?.approvals == 1 && vote.review?.needed == 2)
            // Still held, and `holds show` says where its review stands.
            #expect(try await heldIDs() == [id])
            let shown = try await AdminClient(socket: socket).get("/holds/\(id)", as: AdminWire.Job.self)
            #expect(shown.review?.approvals == 1 && shown.review?.needed == 2)
            #expect(shown.review?.decisions.first?.hasPrefix("approved by uid \(getuid())") == true)
            #expect(Holds.Show.render(shown).contains("review    1 of 2 approvals"))
            // The same person again is no second pair of eyes.
            let again = try command(["holds", "approve", String(id), "--reason", "really"], as: Holds.Approve.self)
            await #expect(throws: CommandFailure.self) { try await again.run() }
            #expect(try await heldIDs() == [id])
            #expect(tg.sent.isEmpty)
        }
    }

    @Test func someoneOutsideTheReviewersGroupsIsRefusedAndRecorded() async throws {
        try await running(review: ", reviewers: [group:no-such-group-gatehouse]") { _ in
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "m2", text: "机密 draft"))
            #expect(await eventually { try await heldIDs().count == 1 })
            let id = try #require(try await heldIDs().first)
            let approve = try command(["holds", "approve", String(id), "--reason", "mine to approve"], as: Holds.Approve.self)
            await #expect(throws: CommandFailure.self) { try await approve.run() }
            let refused = try #require(try await ledger.records(from: 1, limit: 100).first { $0.kind == .decisionRefused })
            #expect(refused.reviewer?.via == .unix && refused.reason?.contains("not a reviewer") == true)
            #expect(try await heldIDs() == [id])
        }
    }

    @Test func theHistoryListsDecidedHoldsWithTheirReviewers() async throws {
        try await running { _ in
            corp.post(Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "m3", text: "机密 release"))
            #expect(await eventually { try await heldIDs().count == 1 })
            let id = try #require(try await heldIDs().first)
            try await command(["holds", "reject", String(id), "--reason", "not yet"], as: Holds.Reject.self).run()
            let history: [AdminWire.DecidedHold] = try await AdminClient(socket: socket).get("/holds/history")
            #expect(history.map(\.id) == [id] && history.first?.outcome == "rejected")
            #expect(history.first?.reviewers.first?.hasPrefix("rejected by uid \(getuid())") == true)
            let text = Holds.History.render(history)
            #expect(text.contains("rejected  route announcements → news") && text.contains("not yet"))
            #expect(Holds.History.span(.seconds(3725)) == "1h 2m" && Holds.History.span(.seconds(42)) == "42s")
        }
    }
}
