import ArgumentParser
import Foundation
import GatehouseLedger

enum AuditFormat: String, ExpressibleByArgument, CaseIterable {
    case table, jsonl, csv
}

/// Writes audit records to standard output as they stream from the ledger.
struct AuditPrinter {
    var format: AuditFormat
    var withContent: Bool

    func print(_ reader: LedgerReader, _ query: AuditQuery) throws {
        var output = FileHandle.standardOutput
        try write(reader, query, to: &output)
    }

    func write(_ reader: LedgerReader, _ query: AuditQuery, to output: inout some TextOutputStream) throws {
        switch format {
        case .csv:
            output.write(ExportLine.csvHeader(withContent: withContent) + "\n")
        case .table:
            output.write("   #  time                      kind      route             from → to                      verdict/outcome  detail\n")
        case .jsonl:
            break
        }
        try reader.forEach(query, withContent: withContent) { stored in
            output.write(line(for: stored) + "\n")
        }
    }

    func line(for stored: StoredRecord) -> String {
        let record = stored.record
        switch format {
        case .jsonl:
            return ExportLine.line(stored, format: .jsonl, withContent: withContent)
        case .csv:
            return ExportLine.line(stored, format: .csv, withContent: withContent)
        case .table:
            let path = "\(record.origin?.channel ?? "") → \(record.destination ?? "")"
            let decision = record.verdict?.rawValue ?? record.outcome?.rawValue ?? ""
            let detail: String
            switch record.kind {
            case .crossing:
                detail =
                    (record.findings ?? []).isEmpty
                    ? "" : "\(record.findings?.count ?? 0) finding(s): " + Set((record.findings ?? []).map(\.check)).sorted().joined(separator: ", ")
            case .delivery:
                detail =
                    "crossing #\(record.crossing ?? 0)" + (record.nativeIDs.map { " ids " + $0.joined(separator: ",") } ?? "")
                    + (record.files.map { " files " + $0.map { "\($0.name) (\($0.bytes) bytes)" }.joined(separator: ", ") } ?? "")
                    + (record.reason.map { " — \($0)" } ?? "")
            case .withdrawn:
                detail =
                    "copy of crossing #\(record.crossing ?? 0) taken back by \(record.approver ?? "?")"
                    + (record.nativeIDs.map { " ids " + $0.joined(separator: ",") } ?? "") + (record.reason.map { " — \($0)" } ?? "")
            case .copyRecalled:
                detail =
                    "copy recalled on \(record.platform ?? "?") by \(record.approver ?? "?")"
                    + (record.nativeIDs.map { " ids " + $0.joined(separator: ",") } ?? "")
            case .configLoaded:
                detail =
                    "revision \(record.configRevision?.prefix(12) ?? "?") from \(record.reason ?? "?")" + (record.approver.map { " by \($0)" } ?? "")
            case .holdApproved, .holdRejected, .deadRetried, .deadDiscarded:
                detail = "crossing #\(record.crossing ?? 0) by \(record.approver ?? "?")" + (record.reason.map { " — \($0)" } ?? "")
            case .reviewOpened:
                detail =
                    "card \(record.review?.card ?? "?") to \(record.review?.to?.joined(separator: ", ") ?? "?"), \(record.review?.needed ?? 1) approval(s)"
                    + (record.review?.deadline.map { " by \($0.formatted(.iso8601))" } ?? "")
            case .holdVote, .decisionRefused:
                detail =
                    "crossing #\(record.crossing ?? 0) by \(record.approver ?? "?")"
                    + (record.review?.approvals.map { " (\($0) of \(record.review?.needed ?? 1))" } ?? "") + (record.reason.map { " — \($0)" } ?? "")
            case .holdExpired, .holdEscalated, .holdReminded:
                detail =
                    "crossing #\(record.crossing ?? 0)" + (record.review?.deadline.map { " deadline \($0.formatted(.iso8601))" } ?? "")
                    + (record.reason.map { " — \($0)" } ?? "")
            case .contentErased:
                detail = "content of crossing #\(record.crossing ?? 0) erased" + (record.reason.map { " — \($0)" } ?? "")
            case .pushRejected:
                detail = "push to hook of \(record.platform ?? "?") refused" + (record.reason.map { " — \($0)" } ?? "")
            case .pushesRefused:
                detail = "pushes to hook of \(record.platform ?? "?") refused" + (record.refusals.map(Self.summary) ?? "")
            case .ignored:
                detail = "messages of \(record.platform ?? "?") ignored" + (record.ignored.map(Self.summary) ?? "")
            case .consoleAccess:
                detail = "console: \(record.reason ?? "?")" + (record.approver.map { " by \($0)" } ?? "")
            case .configRefused:
                detail =
                    "reload refused, \(record.configRevision.map { String($0.prefix(12)) } ?? "?") still serving"
                    + (record.approver.map { " (asked by \($0))" } ?? "") + ": "
                    + (record.reason ?? "").replacingOccurrences(of: "\n", with: "; ")
            }
            return [
                Self.pad(String(record.sequence), 4, right: true), Self.pad(record.time.formatted(.iso8601), 24),
                Self.pad(record.kind.rawValue, 8), Self.pad(record.route ?? "", 16), Self.pad(path, 29),
                Self.pad(decision, 15), detail,
            ].joined(separator: "  ")
        }
    }

    /// A summary's counts by reason and its busiest sources.
    static func summary(_ summary: Refusals) -> String {
        ": " + summary.reasons.map { "\($0.count) \($0.reason)" }.joined(separator: ", ") + " from "
            + (summary.sources.map { "\($0.address) (\($0.count))" } + (summary.otherSources > 0 ? ["\(summary.otherSources) more"] : []))
            .joined(separator: ", ")
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }
}

extension FileHandle: @retroactive TextOutputStream {
    /// Writes, and ends the process when the output is gone: a reader that stopped reading
    /// (`| head`) ends it quietly, as a pipe's writer ends (status 141, SIGPIPE's); any other
    /// failure (a full disk) is said on standard error.
    public func write(_ string: String) {
        do {
            try write(contentsOf: Data(string.utf8))
        } catch {
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            if (error as NSError).code == Int(EPIPE) || underlying?.code == Int(EPIPE) { exit(141) }
            try? FileHandle.standardError.write(contentsOf: Data("gatehouse: cannot write the output: \(error)\n".utf8))
            exit(1)
        }
    }
}
