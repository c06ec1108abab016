import GatehouseConfig
import GatehouseLedger

/// What the demo saw: the audit log and what each destination received, against what was expected.
struct DemoOutcome: Sendable {
    struct Expectation: Sendable {
        var step: DemoScenario.Step
        /// The posted message's id at its platform.
        var messageID: String
        var route: String
        var destination: String
    }

    /// One expected crossing, as the audit log records it.
    struct Row {
        var expectation: Expectation
        /// Every crossing record for it: exactly one when all is well.
        var crossings: [AuditRecord]
        /// The delivery records concluding those crossings.
        var deliveries: [AuditRecord]
        /// Whether the destination holds the posted text.
        var arrived: Bool
        /// The review of a held crossing: its card, and each decision on it.
        var review: [AuditRecord] = []

        /// The approval that released a held crossing, from a DingTalk card.
        var approvedOnCard: AuditRecord? { review.first { $0.kind == .holdApproved && $0.reviewer?.via == .dingtalk } }

        var delivered: AuditRecord? { deliveries.first { $0.outcome == .delivered } }
        /// A blocked step: decided once as block, nothing sent, nothing of it arrived.
        var stopped: Bool { crossings.count == 1 && crossings[0].verdict == .block && deliveries.isEmpty && !arrived }
        var succeeded: Bool {
            if expectation.step.verdict == .block { return stopped }
            if expectation.step.reviewer != nil, approvedOnCard == nil { return false }
            return crossings.count == 1 && crossings[0].verdict == expectation.step.verdict && delivered != nil && arrived
        }
        /// Decided as expected, and delivered when it should be (arrival is checked after the wait).
        var settled: Bool {
            expectation.step.verdict == .block ? crossings.count == 1 : crossings.count == 1 && delivered != nil
        }
    }

    var expected: [Expectation]
    var records: [AuditRecord] = []
    /// Texts each destination channel received, by channel name.
    var received: [String: [String]] = [:]

    var rows: [Row] {
        expected.map { expectation in
            let crossings = records.filter {
                $0.kind == .crossing && $0.route == expectation.route && $0.destination == expectation.destination
                    && $0.origin?.channel == expectation.step.channel && $0.origin?.messageID == expectation.messageID
            }
            let sequences = Set(crossings.map(\.sequence))
            let deliveries = records.filter { $0.kind == .delivery && $0.crossing.map(sequences.contains) == true }
            let arrived = received[expectation.destination]?.contains { $0.contains(expectation.step.arrives ?? expectation.step.text) } ?? false
            let review = records.filter { $0.kind != .delivery && $0.kind != .crossing && $0.crossing.map(sequences.contains) == true }
            return Row(expectation: expectation, crossings: crossings, deliveries: deliveries, arrived: arrived, review: review)
        }
    }

    /// Every expected crossing committed and delivered (arrival is checked after the wait).
    var allDelivered: Bool {
        rows.allSatisfy(\.settled)
    }

    var succeeded: Bool { !expected.isEmpty && rows.allSatisfy(\.succeeded) }

    func report(config: GatewayConfig, state: String?, verification: AuditVerification? = nil) -> String {
        var lines: [String] = []
        lines.append("Gatehouse demo — DingTalk and Telegram emulators on 127.0.0.1, config \(config.file)")
        lines.append("")
        for (index, row) in rows.enumerated() {
            let expectation = row.expectation
            let source = config.channels[expectation.step.channel]
            let destination = config.channels[expectation.destination]
            let crossing = row.crossings.first
            lines.append("\(index + 1). \(expectation.step.title)")
            lines.append(
                "   from      \(expectation.step.channel) (\(source?.platform ?? "?")) — \(expectation.step.senderName): \"\(expectation.step.text)\""
            )
            lines.append(
                "   to        \(expectation.destination) (\(destination?.platform ?? "?")) by route '\(expectation.route)', \(crossing?.direction?.rawValue ?? "not decided")"
            )
            lines.append("   verdict   \(crossing?.verdict?.rawValue ?? "—")")
            if let opened = row.review.first(where: { $0.kind == .reviewOpened }) {
                lines.append("   review    card \(opened.review?.card ?? "?") to \((opened.review?.to ?? []).joined(separator: ", "))")
                if let approval = row.approvedOnCard {
                    lines.append("   approved  on the card by \(approval.approver ?? "?"): \"\(approval.reason ?? "")\"")
                } else {
                    lines.append("   approved  NOT on the card\(row.review.last.map { " (last: \($0.kind.rawValue))" } ?? "")")
                }
            }
            if expectation.step.verdict == .block {
                lines.append(
                    "   delivered no — \(row.stopped ? "stopped at the door, as the rules say" : "EXPECTED A BLOCK")"
                        + (crossing?.findings.map { " (" + $0.map { "\($0.check)/\($0.detector)" }.joined(separator: ", ") + ")" } ?? "")
                )
            } else if let delivered = row.delivered {
                lines.append(
                    "   delivered native id\((delivered.nativeIDs?.count ?? 0) == 1 ? "" : "s") \((delivered.nativeIDs ?? []).joined(separator: ", ")) after \(delivered.attempt ?? 1) attempt\((delivered.attempt ?? 1) == 1 ? "" : "s")"
                        + (delivered.files.map { files in
                            ", with " + files.map { "\($0.name) (\($0.bytes) bytes, its bytes committed to in the record)" }.joined(separator: ", ")
                        } ?? "")
                )
            } else {
                lines.append("   delivered NO\(row.deliveries.last?.reason.map { " — last attempt: \($0)" } ?? "")")
            }
            let audit =
                (row.crossings.map { "#\($0.sequence) crossing" } + row.review.map { "#\($0.sequence) \($0.kind.rawValue)" }
                    + row.deliveries.map { "#\($0.sequence) \($0.outcome?.rawValue ?? "delivery")" })
            lines.append(
                "   audit     \(audit.isEmpty ? "no records" : audit.joined(separator: ", "))\(row.crossings.count > 1 ? " — DECIDED \(row.crossings.count) TIMES" : "")"
            )
            if let text = received[expectation.destination]?.first(where: { $0.contains(expectation.step.arrives ?? expectation.step.text) }) {
                lines.append("   received  \"\(text.replacingOccurrences(of: "\n", with: "⏎"))\"")
            } else if expectation.step.verdict == .block {
                lines.append("   received  nothing, as it should")
            } else {
                lines.append("   received  NOTHING at \(expectation.destination)")
            }
            lines.append("")
        }
        let good = rows.filter(\.succeeded).count
        lines.append(
            "\(records.count) audit records. \(good) of \(rows.count) expected crossings decided as the rules say, delivered or stopped, and audited exactly once: \(succeeded ? "PASS" : "FAIL")"
        )
        if let verification {
            lines.append(
                verification.problem.map { "audit verify: BROKEN — \($0.reason)" }
                    ?? "audit verify: intact — \(verification.records) records under \(verification.checkpoints) signed checkpoint\(verification.checkpoints == 1 ? "" : "s")"
            )
        }
        if let state { lines.append("The ledger is kept in \(state)/ledger.sqlite") }
        return lines.joined(separator: "\n")
    }
}
