import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseLedger

/// The filters `audit query` and `audit export` share.
struct AuditFilters: ParsableArguments {
    @Option(help: "Records at or after this time (2026-07-01 or ISO 8601).")
    var since: Instant?

    @Option(help: "Records before this time.")
    var until: Instant?

    @Option(help: "Only this route.")
    var route: String?

    @Option(help: "Only this verdict: forward, redact, hold or block.")
    var verdict: Verdict?

    @Option(help: "Only crossings from or to this channel.")
    var channel: String?

    var query: AuditQuery {
        AuditQuery(since: since?.date, until: until?.date, route: route, verdict: verdict, channel: channel)
    }
}

extension Verdict: ExpressibleByArgument {}

/// `gatehouse audit query`: the records that match, for people or scripts.
struct AuditQueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Print the audit records that match the filters."
    )

    @OptionGroup var location: StateOptions
    @OptionGroup var filters: AuditFilters

    @Option(help: "table, jsonl (each record's exact leaf) or csv.")
    var format: AuditFormat = .table

    func run() async throws {
        try AuditPrinter(format: format, withContent: false).print(location.reader(), filters.query)
    }
}

/// `gatehouse audit export`: everything (or what matches), for an auditor.
struct AuditExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the audit log as JSON Lines or CSV, optionally with the message content."
    )

    @OptionGroup var location: StateOptions
    @OptionGroup var filters: AuditFilters

    @Option(help: "jsonl or csv.")
    var format: AuditFormat

    @Flag(name: .customLong("with-content"), help: "Include the text as received and as decided, where not yet expired.")
    var withContent = false

    func validate() throws {
        if format == .table { throw ValidationError("export writes jsonl or csv") }
    }

    func run() async throws {
        try AuditPrinter(format: format, withContent: withContent).print(location.reader(), filters.query)
    }
}
