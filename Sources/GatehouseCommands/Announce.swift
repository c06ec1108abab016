import ArgumentParser
import Foundation
import GatehouseRuntime

/// `gatehouse announce`: an operator's announcement to external channels, through the running
/// daemon, decided by the rules of the routes to each destination, sent now or at a time.
struct Announce: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send an announcement to channels now or at a time, through the same policy (the announcer is audited).",
        discussion: """
            Each destination is decided by the rules of every route that sends to it (the greatest
            verdict wins); the text goes as written. With --at (and --tz) every destination gets it
            at that moment; with --local-time at that hour in its channel's tz. Scheduled
            announcements are kept in the ledger across restarts: `gatehouse queue scheduled` lists
            them, `gatehouse queue cancel ID --reason R` cancels one.
            """
    )

    @OptionGroup var admin: AdminOptions
    @Option(name: .long, help: "Destination channels, comma-separated.") var to: String
    @Option(name: .long, help: "The text.") var text: String?
    @Option(name: .customLong("text-file"), help: "A file holding the text (UTF-8).") var textFile: String?
    @Option(name: .long, help: "When: \"2026-12-01 09:00\" in --tz, or ISO 8601 with an offset.") var at: String?
    @Option(name: .long, help: "The time zone --at reads in (IANA, e.g. Asia/Shanghai).") var tz: String?
    @Option(name: .customLong("local-time"), help: "HH:MM in each destination's own tz (its channel's tz setting).")
    var localTime: String?

    func validate() throws {
        guard (text == nil) != (textFile == nil) else { throw ValidationError("give the text with --text or --text-file (one of them)") }
        if localTime != nil, at != nil || tz != nil { throw ValidationError("give --at (with --tz) or --local-time, not both") }
        if tz != nil, at == nil { throw ValidationError("--tz goes with --at") }
    }

    func run() async throws {
        let body: String
        if let textFile {
            guard let data = FileManager.default.contents(atPath: textFile), let read = String(data: data, encoding: .utf8) else {
                throw CommandFailure("cannot read \(textFile) as UTF-8 text")
            }
            body = read
        } else {
            body = text ?? ""
        }
        let destinations = to.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let answer: AdminWire.Announced = try await AdminClient(socket: admin.socket).post(
            "/announce",
            AdminWire.Announcement(to: destinations, text: body, at: at, tz: tz, localTime: localTime)
        )
        print("announcement \(answer.id) by \(answer.announcer)")
        let format = ISO8601DateFormatter()
        for crossing in answer.crossings {
            var line = "  \(crossing.destination): \(crossing.verdict) by route \(crossing.route) (audit record \(crossing.record))"
            if !crossing.findings.isEmpty { line += ", found \(crossing.findings.joined(separator: ", "))" }
            switch (crossing.state, crossing.job) {
            case ("scheduled"?, let job?): line += "; job \(job) due \(crossing.due.map { format.string(from: $0) } ?? "?")"
            case ("held"?, let job?): line += "; job \(job) held for approval (gatehouse holds show \(job))"
            case (_, let job?): line += "; job \(job) queued"
            default: line += "; not sent"
            }
            print(line)
        }
    }
}
