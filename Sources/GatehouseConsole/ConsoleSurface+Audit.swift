import Foundation
import GatehouseCore
import GatehouseLedger
import Hummingbird

/// The audit log: search, one record with its proof, and exports.
extension ConsoleSurface {
    /// How long one page of the audit search looks: a rare match over a large log is found page
    /// by page, each answered at once.
    static let searchBudget: Duration = .milliseconds(60)

    /// The most records one export holds (narrow the search for more).
    static let exportLimit = 10_000

    /// The search a page's query asks for, or what is wrong with it.
    func search(from query: [String: String]) -> (search: AuditSearch, problem: String?) {
        var search = AuditSearch()
        var problems: [String] = []
        func value(_ name: String) -> String? {
            query[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : String($0.prefix(200)) }
        }
        for (name, keyPath) in [("from", \AuditSearch.since), ("to", \AuditSearch.until)] {
            guard let text = value(name) else { continue }
            if let date = Self.date(text) { search[keyPath: keyPath] = date } else { problems.append("\(name) must be a date like 2026-12-01") }
        }
        search.route = value("route")
        search.channel = value("channel")
        search.check = value("check")
        search.sender = value("sender")
        search.text = value("text")
        if let text = value("verdict") {
            if let verdict = Verdict(rawValue: text) { search.verdict = verdict } else { problems.append("no verdict '\(text)'") }
        }
        if let text = value("kind") {
            if let kind = AuditRecord.Kind(rawValue: text) { search.kind = kind } else { problems.append("no record kind '\(text)'") }
        }
        if let text = value("ticket") {
            if let ticket = Int64(text.trimmingCharacters(in: CharacterSet(charactersIn: "#"))) {
                search.ticket = ticket
            } else {
                problems.append("a ticket is a number")
            }
        }
        return (search, problems.isEmpty ? nil : problems.joined(separator: "; "))
    }

    /// A date as the search form gives it (`2026-12-01`, or with a time `2026-12-01T09:30`), in UTC.
    static func date(_ text: String) -> Date? {
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    func auditPage(_ request: Request, _ signedIn: SignedIn) async throws -> Response {
        let query = Self.query(request)
        let (search, problem) = search(from: query)
        let before = query["before"].flatMap(Int64.init)
        let config = store.current.config
        var values: [String: Any] = [
            "routes": Self.options(config.routes.map(\.name), selected: search.route),
            "channels": Self.options(config.channels.keys.sorted(), selected: search.channel),
            "checks": Self.options(config.checks.keys.sorted(), selected: search.check),
            "verdicts": Self.options(Verdict.allCases.map(\.rawValue), selected: search.verdict?.rawValue),
            "kinds": Self.options(Self.kinds, selected: search.kind?.rawValue),
            "from": query["from"] ?? "", "to": query["to"] ?? "", "sender": search.sender ?? "", "text": search.text ?? "",
            "ticket": search.ticket.map(String.init) ?? "",
        ]
        let filters = Self.filterQuery(query)
        values["exportCSV"] = "/audit/export?format=csv" + (filters.isEmpty ? "" : "&" + filters)
        values["exportJSONL"] = "/audit/export?format=jsonl" + (filters.isEmpty ? "" : "&" + filters)
        var frame = frame("Audit log", signedIn, at: "Audit")
        if let problem {
            frame["notice"] = problem
            return render("audit", frame, values, status: .badRequest)
        }
        // A page looks for at most ``searchBudget`` (and 20,000 records); "Older" goes on.
        let page = try await reader.search(search, before: before, budget: Self.searchBudget)
        let rows: [[String: Any]] = page.records.map(Self.row)
        values["rows"] = rows
        values["hasRows"] = !rows.isEmpty
        if let next = page.next {
            values["older"] = "/audit?" + (filters.isEmpty ? "" : filters + "&") + "before=\(next)"
            values["scannedNote"] = "Looked at \(page.scanned) records down to #\(next + 1)."
        }
        return render("audit", frame, values)
    }

    /// One record: every field, its content while kept, the checkpoint that covers it, its proof.
    func recordPage(_ sequence: Int64?, _ signedIn: SignedIn) async throws -> Response {
        guard let sequence, let (stored, checkpoint) = try await reader.record(sequence) else {
            return message(status: .notFound, "No such record", "The audit log has no record with that number.", signedIn)
        }
        let record = stored.record
        var values = Self.row(stored)
        values["leaf"] = Self.pretty(stored.leaf)
        if let received = stored.received { values["received"] = received }
        if let decided = stored.decided { values["decided"] = decided }
        values["erased"] = record.kind == .crossing && stored.received == nil && stored.decided == nil
        if let checkpoint {
            values["checkpoint"] = ["size": checkpoint.size, "signed": Self.display(checkpoint.signed), "signedISO": Self.iso(checkpoint.signed)]
        }
        if let reviewer = record.reviewer { values["reviewer"] = reviewer.display }
        if let reason = record.reason { values["reason"] = reason }
        return render("record", frame("Record \(sequence)", signedIn, at: "Audit"), values)
    }

    /// A record's inclusion proof as a file (`c2sp.org/tlog-proof@v1`).
    func proof(_ sequence: Int64?, _ signedIn: SignedIn) async throws -> Response {
        guard let sequence else { return message(status: .notFound, "No such record", "The audit log has no record with that number.", signedIn) }
        let proof: String
        do {
            proof = try await reader.proofAsync(of: sequence)
        } catch let error as LedgerError {
            return message(status: .notFound, "No proof yet", error.detail, signedIn)
        }
        var response = Response(
            status: .ok,
            headers: [
                .contentType: "text/plain; charset=utf-8",
                .contentDisposition: "attachment; filename=\"record-\(sequence).tlog-proof\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: proof))
        )
        Self.secure(&response.headers)
        return response
    }

    /// The search's records as a file (CSV or JSON Lines, with their content while kept),
    /// newest first, at most ``exportLimit``; the export is audited with what it asked.
    func export(_ request: Request, _ signedIn: SignedIn) async throws -> Response {
        let query = Self.query(request)
        guard let format = query["format"].flatMap(ExportLine.Format.init(rawValue:)) else {
            return message(status: .badRequest, "Refused", "Export as csv or jsonl.", signedIn)
        }
        let (search, problem) = search(from: query)
        if let problem { return message(status: .badRequest, "Refused", problem, signedIn) }
        let page = try await reader.search(search, before: nil, limit: Self.exportLimit, scan: Int.max)
        let filters = Self.filterQuery(query)
        guard
            await audit(
                "exported \(page.records.count) records as \(format.rawValue)\(filters.isEmpty ? "" : " (\(filters))")",
                by: signedIn.session.person
            )
        else {
            return message(
                status: .serviceUnavailable,
                "Not exported",
                unaudited("the export"),
                signedIn
            )
        }
        var lines = format == .csv ? [ExportLine.csvHeader(withContent: true)] : []
        lines += page.records.map { ExportLine.line($0, format: format, withContent: true) }
        var response = Response(
            status: .ok,
            headers: [
                .contentType: format == .csv ? "text/csv; charset=utf-8" : "application/jsonl; charset=utf-8",
                .contentDisposition: "attachment; filename=\"gatehouse-audit.\(format.rawValue)\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")))
        )
        Self.secure(&response.headers)
        return response
    }

    /// The record kinds, as the search offers them.
    static let kinds = [
        "crossing", "delivery", "hold_approved", "hold_rejected", "hold_vote", "decision_refused", "hold_expired", "hold_escalated",
        "review_opened", "dead_retried", "dead_discarded", "withdrawn", "copy_recalled", "content_erased", "config_loaded",
        "console_access", "config_refused", "pushes_refused", "ignored",
    ]

    /// The search's own parameters again, for links (paging, exports).
    static func filterQuery(_ query: [String: String]) -> String {
        ["from", "to", "route", "channel", "verdict", "kind", "check", "sender", "ticket", "text"].compactMap { name in
            guard let value = query[name], !value.isEmpty else { return nil }
            return "\(name)=\(queryValue(value))"
        }.joined(separator: "&")
    }

    static func options(_ values: [String], selected: String?) -> [[String: Any]] {
        values.map { ["value": $0, "selected": $0 == selected] }
    }

    /// A record as a row of the search's table.
    static func row(_ stored: StoredRecord) -> [String: Any] {
        let record = stored.record
        var row: [String: Any] = [
            "sequence": record.sequence, "time": display(record.time), "timeISO": iso(record.time), "kind": record.kind.rawValue,
            "route": record.route ?? "", "from": record.origin?.channel ?? record.platform ?? "", "to": record.destination ?? "",
            "decision": record.verdict?.rawValue ?? record.outcome?.rawValue ?? "",
            "checks": Set((record.findings ?? []).map(\.check)).sorted().joined(separator: ", "),
        ]
        if let body = stored.decided ?? stored.received { row["excerpt"] = excerpt(body) }
        if let sender = record.origin?.senderID { row["sender"] = sender }
        if let ticket = record.ticket { row["ticket"] = ticket }
        return row
    }

    /// A leaf's JSON, indented for reading (the bytes hashed are the compact ones).
    static func pretty(_ leaf: Data) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: leaf),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return String(decoding: leaf, as: UTF8.self) }
        return String(decoding: data, as: UTF8.self)
    }
}
