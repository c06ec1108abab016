import Foundation
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Testing

@testable import GatehouseCommands

@Suite struct AuditCommandTests {
    /// A ledger on disk with two inbound events: one forwarded and delivered, one blocked.
    func ledger() async throws -> String {
        let directory = try Fixtures.temporaryDirectory()
        let ledger = try SQLLedger(directory: directory, contentKey: .ephemeral())
        func crossing(_ route: String, _ destination: String, _ verdict: Verdict, _ findings: [Finding] = []) -> Crossing {
            Crossing(
                route: route,
                source: "all-hands",
                destination: destination,
                direction: .outbound,
                verdict: verdict,
                findings: findings,
                text: "sent, \"quoted\""
            )
        }
        _ = try await ledger.commit(
            Intake(
                envelope: Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "m1", text: "hello, world"),
                crossings: [crossing("announcements", "news", .forward)],
                configRevision: "r1",
                receivedAt: try Date("2026-07-01T10:00:00Z", strategy: .iso8601)
            )
        )
        _ = try await ledger.commit(
            Intake(
                envelope: Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: "m2", text: "key SEC…"),
                crossings: [
                    crossing("announcements", "partners", .block, [Finding(check: "credentials", detector: "api_token", offset: 4, length: 67)])
                ],
                configRevision: "r1",
                receivedAt: try Date("2026-08-01T10:00:00Z", strategy: .iso8601)
            )
        )
        let job = try #require(try await ledger.head(of: "news"))
        _ = try await ledger.recordDelivered(job, nativeIDs: ["101", "102"], at: try Date("2026-07-01T10:00:01Z", strategy: .iso8601))
        return directory
    }

    func output(_ format: AuditFormat, content: Bool = false, _ query: AuditQuery = AuditQuery(), directory: String) throws -> String {
        var text = ""
        try AuditPrinter(format: format, withContent: content).write(LedgerReader(directory: directory), query, to: &text)
        return text
    }

    @Test func jsonLinesAreTheExactLeavesAndFiltersApply() async throws {
        let directory = try await ledger()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let all = try output(.jsonl, directory: directory).split(separator: "\n")
        #expect(all.count == 3)
        // Each line is a leaf as stored: decoding and re-encoding it gives the same bytes.
        for line in all {
            #expect(try AuditRecord.decode(leaf: Data(line.utf8)).leaf() == Data(line.utf8))
        }
        #expect(try output(.jsonl, AuditQuery(verdict: .block), directory: directory).split(separator: "\n").count == 1)
        #expect(try output(.jsonl, AuditQuery(channel: "partners"), directory: directory).contains("\"api_token\""))
        let july = AuditQuery(
            since: try Date("2026-07-01T00:00:00Z", strategy: .iso8601),
            until: try Date("2026-08-01T00:00:00Z", strategy: .iso8601)
        )
        #expect(try output(.jsonl, july, directory: directory).split(separator: "\n").count == 2)
        #expect(try output(.jsonl, AuditQuery(route: "other"), directory: directory).isEmpty)
    }

    @Test func csvQuotesWhatNeedsQuotingAndCarriesContentOnRequest() async throws {
        let directory = try await ledger()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lines = try output(.csv, content: true, directory: directory).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(
            lines.first
                == Substring((ExportLine.csvColumns + ["received", "decided", "received_payload", "decided_payload"]).joined(separator: ","))
        )
        // The payload columns stay empty for a body that is text only.
        #expect(lines[1].hasSuffix(",\"hello, world\",\"sent, \"\"quoted\"\"\",,"))
        #expect(lines[2].contains("credentials/api_token@4+67"))
        #expect(lines[3].contains(",delivered,101 102,1,"))
        let table = try output(.table, directory: directory)
        #expect(table.contains("all-hands → partners") && table.contains("block"))
    }

    @Test func aMissingLedgerIsAClearError() {
        #expect(throws: LedgerError.self) { try LedgerReader(directory: "/nonexistent-gatehouse-state") }
    }
}

/// Exports and keys, each hole closed: formulas in the auditor's spreadsheet, a key file that
/// existed readable before its chmod, or was written through a planted link.
@Suite struct AdversarialAuditCommandTests {
    @Test func csvCellsThatASpreadsheetWouldRunAreNeutralised() {
        #expect(
            ExportLine.csvField("=HYPERLINK(\"https://evil.example\",\"click\")") == "\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"click\"\")\""
        )
        for cell in ["+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1"] {
            #expect(ExportLine.csvField(cell).hasPrefix("'") || ExportLine.csvField(cell).hasPrefix("\"'"))
        }
        #expect(ExportLine.csvField("plain") == "plain")
    }

    @Test func aKeyFileIsCreatedExclusivelyOwnerOnlyAndNeverThroughALink() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = directory + "/audit.key"
        var keygen = try AuditKeygen.parse(["--name", "acme.example/gatehouse", "--out", key])
        try await keygen.run()
        let attributes = try FileManager.default.attributesOfItem(atPath: key)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // Never overwritten, never followed through a link someone planted.
        keygen = try AuditKeygen.parse(["--name", "acme.example/gatehouse", "--out", key])
        await #expect(throws: CommandFailure.self) { try await keygen.run() }
        let link = directory + "/planted.key"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: directory + "/elsewhere")
        keygen = try AuditKeygen.parse(["--name", "acme.example/gatehouse", "--out", link])
        await #expect(throws: CommandFailure.self) { try await keygen.run() }
        #expect(!FileManager.default.fileExists(atPath: directory + "/elsewhere"))
    }
}
