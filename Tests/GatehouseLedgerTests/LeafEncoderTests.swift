import Foundation
import GRDB
import GatehouseCore
import Testing

@testable import GatehouseLedger

/// The hand-written leaf encoder writes exactly what JSONEncoder (sorted keys, no escaped slashes,
/// ISO 8601 UTC with milliseconds) writes, so the on-disk format is the documented one.
@Suite struct LeafEncoderTests {
    static let awkward = [
        "", "plain", "quote \" backslash \\ slash /", "控制\u{0}\u{1}\u{8}\u{9}\u{A}\u{C}\u{D}\u{1F}\u{7F}",
        "emoji 👩‍👩‍👧 and \u{2028}\u{2029} separators", "Zeichen ÄÖÜ ß", "\u{FEFF}bom", "tab\tand newline\n",
    ]

    static let records: [AuditRecord] = {
        var records = [
            AuditRecord(
                sequence: 1,
                time: Date(timeIntervalSince1970: 0),
                kind: .configLoaded,
                configRevision: "abc",
                reason: "/etc/gatehouse/gatehouse.yaml"
            ),
            AuditRecord(
                sequence: 9_007_199_254,
                time: Date(timeIntervalSince1970: 1_790_000_000.123),
                kind: .crossing,
                route: "announcements",
                direction: .outbound,
                origin: .init(platform: "corp", channel: "all-hands", conversation: "cid==", messageID: "m1", eventID: "e1", senderID: "u1"),
                destination: "news",
                verdict: .redact,
                findings: [
                    Finding(check: "pii", detector: "cn_mobile", offset: 3, length: 11),
                    Finding(check: "links", detector: "link", offset: 0, length: 0),
                ],
                configRevision: "rev",
                contentHMAC: .init(received: "abc+/=", decided: "def")
            ),
            AuditRecord(
                sequence: 5,
                time: Date(timeIntervalSince1970: 1_790_000_100.25),
                kind: .holdVote,
                route: "news",
                destination: "public",
                crossing: 2,
                reason: "ok \"fine\"",
                approver: "王丽 (manager01, 合规部)",
                reviewer: ReviewerIdentity(via: .dingtalk, id: "manager01", name: "王丽", departments: ["合规部", "Legal"], platform: "corp"),
                review: .init(
                    card: "gh-1-7",
                    to: ["staff:manager01", "group:cid=="],
                    needed: 2,
                    approvals: 1,
                    deadline: Date(timeIntervalSince1970: 1_790_003_700)
                )
            ),
            AuditRecord(
                sequence: 6,
                time: Date(timeIntervalSince1970: 1_790_000_200),
                kind: .decisionRefused,
                reason: "not a reviewer",
                reviewer: ReviewerIdentity(via: .unix, id: "1000", name: "alice", groups: ["staff"]),
                review: .init(card: "c")
            ),
            AuditRecord(
                sequence: 3,
                time: Date(timeIntervalSince1970: 1_700_000_000.9999),
                kind: .delivery,
                route: "r",
                destination: "d",
                crossing: 2,
                outcome: .delivered,
                nativeIDs: ["1", "2"],
                attempt: 2,
                reason: nil
            ),
            AuditRecord(
                sequence: 4,
                time: Date(timeIntervalSince1970: 951_782_400.5),
                kind: .delivery,
                crossing: 2,
                outcome: .dead,
                nativeIDs: [],
                reason: "rejected"
            ),
            AuditRecord(
                sequence: 5,
                time: Date(timeIntervalSince1970: -86_400.25),
                kind: .contentErased,
                findings: [],
                crossing: 2,
                reason: "retention"
            ),
            AuditRecord(
                sequence: 6,
                time: Date(timeIntervalSince1970: 1_790_000_001),
                kind: .holdApproved,
                route: "r",
                destination: "news",
                crossing: 2,
                reason: "checked with legal",
                approver: "uid 1000 (li.wei)"
            ),
            AuditRecord(
                sequence: 7,
                time: Date(timeIntervalSince1970: 1_790_000_002),
                kind: .pushRejected,
                reason: "401: the sign does not match",
                platform: "corp"
            ),
            AuditRecord(
                sequence: 8,
                time: Date(timeIntervalSince1970: 1_790_000_003),
                kind: .delivery,
                destination: "files",
                crossing: 2,
                outcome: .delivered,
                nativeIDs: ["file:9"],
                files: [.init(name: "合同 \"final\".pdf", bytes: 3_145_728, hmac: "q1w2e3=="), .init(name: "", bytes: 0, hmac: "")]
            ),
            AuditRecord(
                sequence: 10,
                time: Date(timeIntervalSince1970: 1_790_000_005),
                kind: .crossing,
                route: "desk-out",
                destination: "customers",
                verdict: .redact,
                ticket: 1042
            ),
            AuditRecord(
                sequence: 9,
                time: Date(timeIntervalSince1970: 1_790_000_004),
                kind: .withdrawn,
                route: "announcements",
                destination: "news",
                crossing: 2,
                nativeIDs: ["5", "6", "7"],
                reason: "sent by mistake",
                approver: "uid 1000 (li.wei)"
            ),
        ]
        for (index, text) in awkward.enumerated() {
            records.append(
                AuditRecord(
                    sequence: Int64(10 + index),
                    time: Date(timeIntervalSince1970: 1_790_000_000 + Double(index) * 37_123.457),
                    kind: .crossing,
                    route: text,
                    origin: .init(platform: text, channel: text, conversation: text, messageID: text, eventID: text, senderID: text),
                    destination: text,
                    findings: [Finding(check: text, detector: text, offset: index, length: index)],
                    nativeIDs: [text, text],
                    reason: text
                )
            )
        }
        return records
    }()

    @Test(arguments: records)
    func writesWhatJSONEncoderWrites(_ record: AuditRecord) throws {
        let fast = try record.leaf()
        let reference = try record.referenceLeaf()
        #expect(String(decoding: fast, as: UTF8.self) == String(decoding: reference, as: UTF8.self))
        #expect(try AuditRecord.decode(leaf: fast) == AuditRecord.decode(leaf: reference))
    }

    @Test func timestampsMatchAcrossCenturiesAndLeapDays() throws {
        var generator = SystemRandomNumberGenerator()
        let dates =
            [0, 951_782_400, 951_868_799.999, 4_107_542_400, 253_402_300_799.999]
            + (0..<500).map { _ in
                Double.random(in: 0..<4_102_444_800, using: &generator)
            }
        for seconds in dates {
            let record = AuditRecord(sequence: 1, time: Date(timeIntervalSince1970: seconds), kind: .configLoaded)
            #expect(try record.leaf() == record.referenceLeaf(), "at \(seconds)")
        }
    }
}

/// Dates bound by the ledger are stored exactly as GRDB stores them, so they compare and read back
/// alike.
@Suite struct StoredDateTests {
    @Test func matchesGRDBsOwnStorageFormat() {
        var generator = SystemRandomNumberGenerator()
        let dates =
            [0, 1_790_000_000.123, 951_782_400, 951_868_799.999, 4_107_542_400.5]
            + (0..<5000).map { _ in
                Double.random(in: 0..<4_102_444_800, using: &generator)
            }
        for seconds in dates {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(StoredDate(date).databaseValue == date.databaseValue, "at \(seconds)")
        }
    }
}
