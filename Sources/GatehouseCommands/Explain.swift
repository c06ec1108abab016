import ArgumentParser
import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger

/// `gatehouse explain`: a dry run of the policy on one message. Sends nothing, writes nothing.
struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show, for each route and destination, the verdict, the findings and the exact text that would be sent.",
        discussion: "A dry run: nothing is sent and nothing is written. Offsets and lengths are in Unicode scalars of the input text."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @OptionGroup var options: ConfigOptions

    @Option(help: "The channel the message is posted in (a name from `channels:`).")
    var from: String

    @Option(help: "The sender's platform id.")
    var sender: String = "explain"

    @Option(name: .customLong("sender-name"), help: "The sender's display name.")
    var senderName: String = "Explain"

    @Option(name: .customLong("sender-dept"), help: "The sender's department.")
    var senderDepartment: String?

    @Option(help: "The message text.")
    var text: String?

    @Option(name: .customLong("text-file"), help: "Read the message text from a file ('-' for standard input).")
    var textFile: String?

    @Option(help: "When the message was posted (ISO 8601, e.g. 2026-11-21T20:30:00+08:00); default now.")
    var time: String?

    @Option(help: "table (for people) or json (for scripts).")
    var format: Format = .table

    func validate() throws {
        guard (text == nil) != (textFile == nil) else {
            throw ValidationError("give the message with exactly one of --text or --text-file")
        }
        if let time, (try? Date(time, strategy: .iso8601)) == nil {
            throw ValidationError("--time must be ISO 8601, like 2026-11-21T20:30:00+08:00")
        }
    }

    func run() async throws {
        // A dry run sends nothing and needs no secret: the credential files need not exist here.
        print(try output(for: try options.load(readsSecrets: false)))
    }

    /// What the command prints for a config.
    func output(for config: GatewayConfig) throws -> String {
        guard let channel = config.channels[from] else {
            throw ValidationError(
                "no channel named '\(from)' in \(options.config); channels: \(config.channels.keys.sorted().joined(separator: ", "))"
            )
        }
        var envelope = Envelope(
            origin: Self.origin(of: channel),
            sender: .init(id: sender, name: senderName, department: senderDepartment),
            body: .init(text: try messageText()),
            time: try time.map { try Date($0, strategy: .iso8601) } ?? Date(),
            // A message in a private chat says so, as the adapter's would.
            labels: channel.address == .privateChats ? [Channel.privateLabel] : []
        )
        // A customer in a private chat has a ticket: shown as the first one a desk gives.
        if channel.address == .privateChats { envelope.ticket = Ticket.firstNumber }
        // A desk's "#1042 …" is addressed to that ticket's customer, as intake would address it.
        let privateChats = Set(config.channels.values.filter { $0.address == .privateChats }.map(\.name))
        let desk = config.routes.contains { $0.from.contains(from) && !privateChats.isDisjoint(with: $0.to) }
        if desk, let (ticket, rest) = Addressee.ticketReference(in: envelope.body) {
            envelope.addressee = Addressee(ticket: ticket, chat: "the customer of #\(ticket)")
            envelope.body = rest
        }
        let crossings = config.gate.crossings(for: envelope)
        switch format {
        case .json: return ExplainReport(crossings).json()
        case .table: return ExplainReport(crossings).table(from: from)
        }
    }

    private func messageText() throws -> String {
        if let text { return text }
        let path = textFile ?? "-"
        let data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: path)
        guard let data, let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("cannot read the text file '\(path)' as UTF-8")
        }
        return text
    }

    /// Where a message posted in `channel` comes from, as its platform's adapter would say.
    static func origin(of channel: Channel) -> Envelope.Origin {
        switch channel.address {
        case .conversation(let id):
            return .init(platform: channel.platform, conversation: id, messageID: "explain", eventID: "explain")
        case .chat(let chat, let topic):
            let handle = chat.hasPrefix("@") ? String(chat.dropFirst()) : nil
            return .init(platform: channel.platform, conversation: chat, handle: handle, topic: topic, messageID: "explain", eventID: "explain")
        case .announcements:
            return .init(platform: channel.platform, conversation: Channel.announcementConversation, messageID: "explain", eventID: "explain")
        case .privateChats:
            // A customer's chat: a user id, as a private chat's id is.
            return .init(platform: channel.platform, conversation: "1", messageID: "explain", eventID: "explain")
        case .robotWebhook, .users:
            // Never a route's source (the config refuses it); nothing matches this origin.
            return .init(platform: channel.platform, conversation: "", messageID: "explain", eventID: "explain")
        }
    }
}

/// What `explain` prints.
struct ExplainReport {
    struct Entry {
        var route: String
        var destination: String
        var verdict: Verdict
        var findings: [Finding]
        var text: String
    }

    var crossings: [Entry]

    init(_ crossings: [Crossing]) {
        self.crossings = crossings.map {
            Entry(route: $0.route, destination: $0.destination, verdict: $0.verdict, findings: $0.findings, text: $0.text)
        }
    }

    /// One JSON object on one line, keys in the documented order (shared/CONFIG.md), so that the
    /// output is stable for scripts and golden files.
    func json() -> String {
        let entries = crossings.map { entry in
            let findings = entry.findings.map {
                #"{"check":\#(Self.quoted($0.check)),"detector":\#(Self.quoted($0.detector)),"offset":\#($0.offset),"length":\#($0.length)}"#
            }
            return
                #"{"route":\#(Self.quoted(entry.route)),"destination":\#(Self.quoted(entry.destination)),"verdict":\#(Self.quoted(entry.verdict.rawValue)),"findings":[\#(findings.joined(separator: ","))],"text":\#(Self.quoted(entry.text))}"#
        }
        return #"{"crossings":[\#(entries.joined(separator: ","))]}"#
    }

    /// A JSON string literal (RFC 8259 escaping; non-ASCII stays as UTF-8); `null` for nil.
    static func quoted(_ text: String?) -> String {
        ExportLine.quoted(text)
    }

    func table(from source: String) -> String {
        guard !crossings.isEmpty else { return "No route takes a message from '\(source)'." }
        var lines: [String] = []
        for entry in crossings {
            lines.append("\(entry.route) → \(entry.destination): \(entry.verdict.rawValue.uppercased())")
            if entry.findings.isEmpty {
                lines.append("  findings: none")
            } else {
                for finding in entry.findings {
                    let place = finding.length > 0 ? "at \(finding.offset), \(finding.length) long" : "the message as a whole"
                    lines.append("  finding:  \(finding.check) / \(finding.detector), \(place)")
                }
            }
            let sent = entry.verdict.delivers ? "would send" : entry.verdict == .hold ? "would hold" : "would not send"
            let text = entry.text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n            ")
            lines.append("  \(sent): \(text)")
            lines.append("")
        }
        return lines.dropLast().joined(separator: "\n")
    }
}
