import ArgumentParser
import Foundation
import GatehouseConfig
import GatehouseLedger
import GatehouseRuntime

/// `PLATFORM:USER_ID` on the command line: a person on one platform (its config name) or on every
/// platform of a type (`telegram:42`), as the config says (without one, the name as written).
struct SubjectArgument: ExpressibleByArgument {
    var platform: String
    var person: String

    init?(argument: String) {
        let parts = argument.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        platform = parts[0]
        person = parts[1]
    }

    /// The subject, its platform named by a config name or, where the config has none so named, by
    /// a type every platform of which is meant.
    func subject(in config: GatewayConfig?) -> Subject {
        guard let config, config.platforms[platform] == nil else { return Subject(platforms: [platform], person: person) }
        let typed = config.platforms.values.filter { platformType($0) == platform }.map(\.name)
        return Subject(platforms: Set(typed.isEmpty ? [platform] : typed), person: person)
    }

    private func platformType(_ platform: PlatformConfig) -> String {
        switch platform.settings {
        case .telegram: "telegram"
        case .dingtalk: "dingtalk"
        }
    }
}

/// `gatehouse audit subject PLATFORM:USER_ID`: everything recorded about one person, for their
/// right of access (PIPL art. 45, GDPR art. 15): JSON Lines — first their desk tickets, then each
/// record that is theirs or of their tickets, with its bodies where kept and the proof that it is
/// in the signed log.
struct AuditSubject: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subject",
        abstract: "Export everything recorded about one person (JSON Lines, with inclusion proofs)."
    )

    @OptionGroup var location: StateOptions
    @Argument(help: "PLATFORM:USER_ID (a platform's config name, or telegram / dingtalk for every platform of that type).")
    var subject: SubjectArgument

    func run() async throws {
        let config = try location.config.map { try ConfigOptions.load($0) }
        for line in try Self.export(location.reader(), subject.subject(in: config)) { print(line) }
    }

    /// The export's lines: the header (who, their tickets), then a line per record.
    static func export(_ reader: LedgerReader, _ who: Subject) throws -> [String] {
        var lines: [String] = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let tickets = try reader.subject(who) { stored in
            var line = #"{"record":\#(String(decoding: stored.leaf, as: UTF8.self))"#
            line += #","received":\#(ExplainReport.quoted(stored.received)),"decided":\#(ExplainReport.quoted(stored.decided))"#
            // The proof against the newest checkpoint that covers it (none yet: null).
            let proof = try? reader.proof(of: stored.record.sequence)
            line += #","proof":\#(ExplainReport.quoted(proof))}"#
            lines.append(line)
        }
        let header = String(decoding: try encoder.encode(SubjectHeader(subject: who.description, tickets: tickets)), as: UTF8.self)
        return [header] + lines
    }

    private struct SubjectHeader: Encodable {
        var subject: String
        var tickets: [SubjectTicket]
    }
}

/// `gatehouse audit erase --subject PLATFORM:USER_ID --reason "…"`: a person's right to erasure
/// (PIPL art. 47, GDPR art. 17), through the running daemon's admin socket, in the caller's name.
struct AuditErase: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase what is kept of one person (bodies and desk profile); the log and its proofs stay intact."
    )

    @OptionGroup var admin: AdminOptions
    @Option(name: .long, help: "PLATFORM:USER_ID (as for audit subject).") var subject: SubjectArgument
    @Option(name: .long, help: "Why (recorded in the audit log).") var reason: String

    func run() async throws {
        let done: AdminWire.Erased = try await AdminClient(socket: admin.socket).post(
            "/subjects/erase",
            AdminWire.Erasure(platform: subject.platform, person: subject.person, reason: reason)
        )
        print(
            "erased \(done.records.count) crossing(s)' content of \(done.subject) by \(done.approver): audit records \(done.records.map(String.init).joined(separator: ", "))"
        )
    }
}
