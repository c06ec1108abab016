import Foundation
import GatehouseCore
import GatehouseLedger
import Hummingbird

/// The period report: a printable page, and the same as a PDF to file.
extension ConsoleSurface {
    /// The period a report's query asks for (`from`, `to`: UTC days, both included); the last
    /// full calendar month when it asks for none.
    func reportPeriod(_ query: [String: String]) -> (from: Date, to: Date)? {
        let calendar = Calendar.utc
        if let fromText = query["from"], let toText = query["to"] {
            guard let from = Self.date(fromText), let last = Self.date(toText), from <= last,
                let to = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: last))
            else { return nil }
            return (calendar.startOfDay(for: from), to)
        }
        let month = calendar.dateInterval(of: .month, for: clock.now)?.start ?? calendar.startOfDay(for: clock.now)
        guard let previous = calendar.date(byAdding: .month, value: -1, to: month) else { return nil }
        return (previous, month)
    }

    /// Answers with `body`'s page for the report the request's period asks for; a period that
    /// cannot be read is answered with what is wrong with it.
    func withReport(_ request: Request, _ signedIn: SignedIn, _ body: (PeriodReport) async throws -> Response) async throws -> Response {
        guard let period = reportPeriod(Self.query(request)) else {
            return message(status: .badRequest, "No such period", "Give the period as two days, from and to, like 2026-11-01.", signedIn)
        }
        return try await body(
            try await PeriodReport.read(from: period.from, to: period.to, reader: reader, by: signedIn.session.person.display, now: clock.now)
        )
    }

    func reportPage(_ report: PeriodReport, _ signedIn: SignedIn) async throws -> Response {
        func table(_ rows: [[String]]) -> [String: Any] {
            ["head": rows.first ?? [], "rows": rows.dropFirst().map { ["cells": $0] }]
        }
        let calendar = Calendar.utc
        let thisMonth = calendar.dateInterval(of: .month, for: clock.now)?.start ?? clock.now
        let lastMonth = calendar.date(byAdding: .month, value: -1, to: thisMonth) ?? thisMonth
        let values: [String: Any] = [
            "period": report.period, "generated": PeriodReport.time(report.generated), "by": report.by,
            "from": PeriodReport.day(report.from), "to": PeriodReport.day(report.to.addingTimeInterval(-1)),
            "lastMonth": "from=\(PeriodReport.day(lastMonth))&to=\(PeriodReport.day(thisMonth.addingTimeInterval(-1)))",
            "thisMonth": "from=\(PeriodReport.day(thisMonth))&to=\(PeriodReport.day(clock.now))",
            "crossings": table(report.crossingTable), "deliveries": table(report.deliveryTable),
            "decisions": table(report.decisionTable), "hasDecisions": !report.decisions.isEmpty, "decisionsCut": report.decisionsCut,
            "erased": report.kinds[.contentErased] ?? 0, "records": table(report.recordTable),
            "configs": table(report.configTable), "hasConfigs": !report.configs.isEmpty,
            "checkpoints": table(report.checkpointTable),
            "hasCheckpoints": !report.checkpoints.during.isEmpty || report.checkpoints.before != nil,
        ]
        return render("report", frame("Report \(report.period)", signedIn, at: "Reports"), values)
    }

    /// The report as a PDF; each download is audited with its period.
    func reportPDF(_ report: PeriodReport, _ signedIn: SignedIn) async throws -> Response {
        guard await audit("downloaded the period report \(report.period) as PDF", by: signedIn.session.person) else {
            return message(status: .serviceUnavailable, "Not made", unaudited("the download"), signedIn)
        }
        let name = "gatehouse-report-\(PeriodReport.day(report.from))-\(PeriodReport.day(report.to.addingTimeInterval(-1))).pdf"
        var response = Response(
            status: .ok,
            headers: [.contentType: "application/pdf", .contentDisposition: "attachment; filename=\"\(name)\""],
            body: .init(byteBuffer: ByteBuffer(bytes: report.pdf(origin: store.current.config.audit?.origin ?? "this gateway")))
        )
        Self.secure(&response.headers)
        return response
    }
}
