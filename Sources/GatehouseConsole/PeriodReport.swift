import Foundation
import GatehouseCore
import GatehouseLedger

/// A period's report for an auditor to file: volume per route and verdict, deliveries per
/// destination and outcome, the holds decided (who, when, why), the content erased, the config
/// revisions in force and the checkpoints signed — read from the counts kept per hour and from
/// the log, the same for the printable page and the PDF.
struct PeriodReport {
    /// One hold decision.
    struct Decision {
        var time: Date
        var outcome: String
        var crossing: Int64?
        var route: String
        var destination: String
        var by: String
        var reason: String
    }

    let from: Date
    /// The period's end, not included (the day after its last day).
    let to: Date
    let generated: Date
    let by: String
    let crossings: [(route: String, counts: [String: Int])]
    let deliveries: [(destination: String, counts: [String: Int])]
    let decisions: [Decision]
    /// Whether more decisions were made than the report lists.
    let decisionsCut: Bool
    let kinds: [AuditRecord.Kind: Int]
    let configs: [(time: Date, revision: String, by: String)]
    let checkpoints: (before: LedgerReader.SignedCheckpoint?, during: [LedgerReader.SignedCheckpoint])

    /// The most decisions of each outcome a report lists.
    static let decisionLimit = 500

    /// Reads the period `from` ..< `to` of the log.
    static func read(from: Date, to: Date, reader: LedgerReader, by: String, now: Date) async throws -> PeriodReport {
        var crossings: [String: [String: Int]] = [:]
        for entry in try await reader.traffic(since: from) where entry.hour < to {
            crossings[entry.route, default: [:]][entry.verdict.rawValue, default: 0] += entry.crossings
        }
        var deliveries: [String: [String: Int]] = [:]
        for entry in try await reader.deliveries(since: from) where entry.hour < to {
            deliveries[entry.destination, default: [:]][entry.outcome.rawValue, default: 0] += entry.count
        }
        var decisions: [Decision] = []
        var cut = false
        for (kind, outcome) in [(AuditRecord.Kind.holdApproved, "approved"), (.holdRejected, "rejected"), (.holdExpired, "expired")] {
            var search = AuditSearch()
            search.kind = kind
            search.since = from
            search.until = to
            let page = try await reader.search(search, before: nil, limit: decisionLimit, scan: Int.max)
            cut = cut || page.records.count == decisionLimit
            decisions += page.records.map(\.record).map { record in
                Decision(
                    time: record.time,
                    outcome: outcome,
                    crossing: record.crossing,
                    route: record.route ?? "",
                    destination: record.destination ?? "",
                    by: record.reviewer?.display ?? record.approver ?? (kind == .holdExpired ? "its deadline" : "—"),
                    reason: record.reason ?? ""
                )
            }
        }
        var loads = AuditSearch()
        loads.kind = .configLoaded
        loads.since = from
        loads.until = to
        let configs = try await reader.search(loads, before: nil, limit: 200, scan: Int.max).records.map(\.record).reversed().map {
            (time: $0.time, revision: $0.configRevision ?? "", by: $0.approver ?? "the daemon")
        }
        return PeriodReport(
            from: from,
            to: to,
            generated: now,
            by: by,
            crossings: crossings.keys.sorted().map { ($0, crossings[$0] ?? [:]) },
            deliveries: deliveries.keys.sorted().map { ($0, deliveries[$0] ?? [:]) },
            decisions: decisions.sorted { $0.time < $1.time },
            decisionsCut: cut,
            kinds: try await reader.kindCounts(since: from, until: to),
            configs: configs,
            checkpoints: try await reader.checkpoints(since: from, until: to)
        )
    }

    /// The period as people write it: `2026-11-01 – 2026-11-30` (UTC days).
    var period: String { "\(Self.day(from)) – \(Self.day(to.addingTimeInterval(-1)))" }

    static func day(_ date: Date) -> String {
        let parts = Calendar.utc.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    static func time(_ date: Date) -> String {
        let parts = Calendar.utc.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
    }

    /// A table: a header, a row per name with its counts by column and their sum, and a total row.
    static func table(_ name: String, _ columns: [String], _ rows: [(String, [String: Int])]) -> [[String]] {
        var table = [[name] + columns + ["all"]]
        for (row, counts) in rows {
            table.append([row] + columns.map { String(counts[$0] ?? 0) } + [String(counts.values.reduce(0, +))])
        }
        let totals = columns.map { column in rows.reduce(0) { $0 + ($1.1[column] ?? 0) } }
        table.append(["all"] + totals.map(String.init) + [String(totals.reduce(0, +))])
        return table
    }

    var crossingTable: [[String]] { Self.table("route", Verdict.allCases.map(\.rawValue), crossings) }
    var deliveryTable: [[String]] { Self.table("destination", ["delivered", "deferred", "dead", "cancelled"], deliveries) }

    var decisionTable: [[String]] {
        [["time", "decision", "crossing", "route → destination", "by", "reason"]]
            + decisions.map {
                [Self.time($0.time), $0.outcome, $0.crossing.map { "#\($0)" } ?? "", "\($0.route) → \($0.destination)", $0.by, $0.reason]
            }
    }

    var recordTable: [[String]] {
        [["kind", "records"]] + kinds.keys.sorted { $0.rawValue < $1.rawValue }.map { [$0.rawValue, String(kinds[$0] ?? 0)] }
    }

    var configTable: [[String]] {
        [["loaded", "revision", "by"]] + configs.map { [Self.time($0.time), String($0.revision.prefix(16)), $0.by] }
    }

    var checkpointTable: [[String]] {
        let before = checkpoints.before.map { [["before the period: " + Self.time($0.time), String($0.size), $0.root]] } ?? []
        return [["signed", "records", "root hash"]] + before + checkpoints.during.map { [Self.time($0.time), String($0.size), $0.root] }
    }

    /// The report as a PDF.
    func pdf(origin: String) -> Data {
        var blocks: [ReportPDF.Block] = [
            .title("Gatehouse period report: \(period)"),
            .paragraph(
                "Generated \(Self.time(generated)) by \(by) from the audit log of \(origin). Counts are by the hour (UTC) records were "
                    + "written; every record here can be checked against the log with `gatehouse audit verify` and its checkpoints."
            ),
            .heading("Crossings per route and verdict"), .table(crossingTable),
            .heading("Deliveries per destination and outcome"), .table(deliveryTable),
            .heading("Holds decided"),
        ]
        blocks.append(
            decisions.isEmpty
                ? .paragraph("No hold was decided in the period.")
                : .table(decisionTable)
        )
        if decisionsCut { blocks.append(.paragraph("More were decided than listed: search the audit log for the rest.")) }
        blocks += [
            .heading("Content erased"),
            .paragraph(
                "\(kinds[.contentErased] ?? 0) crossings' content was erased by retention in the period (their records and commitments stay)."
            ),
            .heading("Records written, by kind"), .table(recordTable),
            .heading("Configs in force"),
        ]
        blocks.append(configs.isEmpty ? .paragraph("No config was loaded in the period.") : .table(configTable))
        blocks.append(.heading("Checkpoints signed"))
        blocks.append(
            checkpoints.during.isEmpty && checkpoints.before == nil ? .paragraph("No checkpoint was signed.") : .table(checkpointTable)
        )
        return ReportPDF.document(blocks, footer: "Gatehouse period report \(period)")
    }
}
