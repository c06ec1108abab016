import ArgumentParser
import Foundation
import GatehouseRuntime

/// `gatehouse status`: what the running daemon is doing.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "What the running daemon is doing (through its admin socket).")

    @OptionGroup var admin: AdminOptions
    @Flag(name: .long, help: "Print the answer as JSON.") var json = false

    func run() async throws {
        let status: AdminWire.Status = try await AdminClient(socket: admin.socket).get("/status")
        if json { return print(String(decoding: try AdminWire.encoder.encode(status), as: UTF8.self)) }
        print(status.line)
        print("config    \(status.file), revision \(status.revision.prefix(12)), \(status.routes) routes\(status.ready ? "" : " (not ready yet)")")
        let states = ["pending", "inflight", "deferred", "held", "scheduled", "dead", "delivered", "cancelled"]
        print("outbox    " + states.map { "\($0) \(status.outbox[$0] ?? 0)" }.joined(separator: ", "))
        let checkpoint =
            status.lastCheckpoint.map { "last checkpoint \(ISO8601DateFormatter().string(from: $0)) at \(status.checkpointed) records" }
            ?? "no checkpoint yet"
        print("audit     \(status.records) records, \(checkpoint)")
        if status.reloadFailures > 0 {
            print("reloads   \(status.reloadFailures) refused since start\(status.lastReloadFailure.map { "; now: \($0)" } ?? "")")
        }
    }
}

/// `gatehouse reload`: the running daemon reads its config again, all or nothing.
struct Reload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reload the running daemon's config, all or nothing (as SIGHUP does).")

    @OptionGroup var admin: AdminOptions

    func run() async throws {
        let answer: AdminWire.ReloadAnswer = try await AdminClient(socket: admin.socket).post("/reload")
        switch answer.outcome {
        case "loaded": print("reloaded: revision \(answer.revision?.prefix(12) ?? "?") in force (audit record \(answer.record ?? 0))")
        case "unchanged": print("unchanged: revision \(answer.revision?.prefix(12) ?? "?") is already in force")
        default:
            for problem in answer.problems { printError(problem) }
            throw CommandFailure("reload refused; the config in force keeps serving")
        }
    }
}

/// `gatehouse queue …`: the outbox per destination, and the dead letters.
struct Queue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The outbox per destination; scheduled announcements; list, retry or cancel dead-lettered jobs (the decider is audited).",
        subcommands: [Show.self, Scheduled.self, Dead.self, Retry.self, Cancel.self],
        defaultSubcommand: Show.self
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Per destination: pending, in flight, deferred, held, scheduled, dead.")
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            let rows: [AdminWire.QueueRow] = try await AdminClient(socket: admin.socket).get("/queue")
            let width = max(rows.map(\.destination.count).max() ?? 0, "destination".count)
            func padded(_ text: String) -> String { text + String(repeating: " ", count: max(width - text.count, 0)) }
            print("\(padded("destination"))  pending  inflight  deferred  held  scheduled  dead")
            for row in rows {
                let counts = String(
                    format: "%7d  %8d  %8d  %4d  %9d  %4d",
                    row.pending,
                    row.inflight,
                    row.deferred,
                    row.held,
                    row.scheduled ?? 0,
                    row.dead
                )
                print("\(padded(row.destination))  \(counts)")
            }
        }
    }

    struct Scheduled: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every announcement waiting for its time (`gatehouse announce --at`).")
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            let jobs: [AdminWire.Job] = try await AdminClient(socket: admin.socket).get("/scheduled")
            if jobs.isEmpty { return print("no scheduled announcements") }
            let format = ISO8601DateFormatter()
            for job in jobs {
                let first = job.text?.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
                let due = job.due.map { format.string(from: $0) } ?? "?"
                print("\(job.id)  due \(due)  → \(job.destination)  (route \(job.route), crossing #\(job.crossing))  \(first.prefix(60))")
            }
        }
    }

    struct Dead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every dead-lettered job (why: `gatehouse audit query`).")
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            let jobs: [AdminWire.Job] = try await AdminClient(socket: admin.socket).get("/dead")
            if jobs.isEmpty { return print("no dead-lettered jobs") }
            Holds.List.printLines(jobs)
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a dead-lettered job back to its queue for another round of attempts.")
        @OptionGroup var decision: DecisionOptions

        func run() async throws {
            try await decision.post(to: "/dead/\(decision.id)/retry", done: "queued again")
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a scheduled announcement before its time, or close a dead-lettered job for good."
        )
        @OptionGroup var decision: DecisionOptions

        func run() async throws {
            try await decision.post(to: "/queue/\(decision.id)/cancel", done: "cancelled")
        }
    }
}

/// `gatehouse holds …`: deliveries waiting for a person.
struct Holds: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Held deliveries: list, show, approve or reject them (the decider is audited).",
        subcommands: [List.self, Show.self, Approve.self, Reject.self, History.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every held job.")
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            let holds: [AdminWire.Job] = try await AdminClient(socket: admin.socket).get("/holds")
            if holds.isEmpty { return print("no held deliveries") }
            Self.printLines(holds)
        }

        /// One line a delivery: id, since when, route and destination, what and which crossing.
        static func printLines(_ jobs: [AdminWire.Job]) {
            let format = ISO8601DateFormatter()
            for job in jobs {
                print(
                    "\(job.id)  \(format.string(from: job.created))  route \(job.route) → \(job.destination)  (\(job.action), crossing #\(job.crossing))"
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One held job, with the text that would be sent.")
        @OptionGroup var admin: AdminOptions
        @Argument(help: "The held job's id.") var id: Int64

        func run() async throws {
            let hold: AdminWire.Job = try await AdminClient(socket: admin.socket).get("/holds/\(id)")
            print(Self.render(hold))
        }

        /// Everything an approver must see, every outside string escaped for the terminal.
        static func render(_ hold: AdminWire.Job) -> String {
            let safe = { (text: String) in TerminalText.escaped(text) }
            var lines = [
                "delivery  \(hold.id) (crossing #\(hold.crossing)), \(hold.action)",
                "route     \(safe(hold.route)) → \(safe(hold.destination))",
                "from      \(safe(hold.origin))" + (hold.sender.map { ", sender \(safe($0))" } ?? ""),
                "held      since \(ISO8601DateFormatter().string(from: hold.created))",
            ]
            let findings = hold.findings ?? []
            lines.append("findings  " + (findings.isEmpty ? "none (held by the route's default)" : "\(findings.count)"))
            for finding in findings {
                let place = finding.length > 0 ? "at \(finding.offset)+\(finding.length)" : "the message as a whole"
                lines.append("  - \(safe(finding.check)): \(safe(finding.detector)), \(place)")
            }
            let links = hold.links ?? []
            lines.append("links     " + (links.isEmpty ? "none" : "\(links.count)"))
            lines += links.map { "  - \(safe($0))" }
            let attachments = hold.attachments ?? []
            lines.append("files     " + (attachments.isEmpty ? "none" : "\(attachments.count)"))
            lines += attachments.map { file in
                "  - \(safe(file.name ?? "(no name)")), \(safe(file.mimeType ?? "type unknown")), "
                    + (file.bytes.map { "\($0) bytes" } ?? "size unknown")
            }
            if let review = hold.review {
                let deadline = review.deadline.map { ", decide by \(ISO8601DateFormatter().string(from: $0))" } ?? ""
                lines.append(
                    "review    \(review.approvals) of \(review.needed) approval\(review.needed == 1 ? "" : "s")\(deadline)"
                        + (review.escalated ? ", escalated" : "") + (review.card.map { ", card \(safe($0))" } ?? "")
                )
                lines += review.decisions.map { "  - \(safe($0))" }
            }
            lines.append("text:")
            lines += TerminalText.escaped(hold.text ?? "", keepingLineBreaks: true).split(separator: "\n", omittingEmptySubsequences: false).map {
                "  | " + $0
            }
            return lines.joined(separator: "\n")
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a held job: it is sent.")
        @OptionGroup var decision: DecisionOptions

        func run() async throws {
            try await decision.post(to: "/holds/\(decision.id)/approve", done: "approved")
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decided holds, newest first: outcome, reviewers and time to decision.")
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            let holds: [AdminWire.DecidedHold] = try await AdminClient(socket: admin.socket).get("/holds/history")
            if holds.isEmpty { return print("no decided holds") }
            print(Self.render(holds))
        }

        static func render(_ holds: [AdminWire.DecidedHold]) -> String {
            let format = ISO8601DateFormatter()
            return holds.map { hold in
                let waited = Duration.seconds(max(0, Int64(hold.decided.timeIntervalSince(hold.held))))
                let head =
                    "\(hold.id)  \(format.string(from: hold.decided))  \(hold.outcome)  route \(TerminalText.escaped(hold.route)) → "
                    + "\(TerminalText.escaped(hold.destination))  after \(Self.span(waited))"
                return ([head] + hold.reviewers.map { "  - " + TerminalText.escaped($0) }).joined(separator: "\n")
            }.joined(separator: "\n")
        }

        /// `1h 5m`, `42s`.
        static func span(_ duration: Duration) -> String {
            let seconds = duration.components.seconds
            let parts = [(seconds / 86_400, "d"), (seconds % 86_400 / 3600, "h"), (seconds % 3600 / 60, "m"), (seconds % 60, "s")]
            let shown = parts.filter { $0.0 > 0 }.prefix(2).map { "\($0.0)\($0.1)" }
            return shown.isEmpty ? "0s" : shown.joined(separator: " ")
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a held job: it is dropped, and that is audited.")
        @OptionGroup var decision: DecisionOptions

        func run() async throws {
            try await decision.post(to: "/holds/\(decision.id)/reject", done: "rejected")
        }
    }
}

/// A person's decision on one delivery: which, and why (the audit log records both, and who).
struct DecisionOptions: ParsableArguments {
    @OptionGroup var admin: AdminOptions
    @Argument(help: "The delivery's id.") var id: Int64
    @Option(name: .long, help: "Why (recorded in the audit log).") var reason: String

    /// Posts the decision and says who the daemon recorded as deciding.
    func post(to path: String, done: String) async throws {
        let decided: AdminWire.Decided = try await AdminClient(socket: admin.socket).post(path, AdminWire.Decision(reason: reason))
        if let waiting = decided.waiting {
            print("\(waiting) (by \(decided.approver): audit record \(decided.record))")
        } else {
            print("\(done) by \(decided.approver): audit record \(decided.record)")
        }
    }
}

/// `gatehouse console link`: break-glass sign-in to the console when DingTalk cannot sign anyone in.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "The web console.",
        subcommands: [Link.self]
    )

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a one-time link (ten minutes) that signs its bearer in to the console as an admin, in your name (audited)."
        )

        @OptionGroup var admin: AdminOptions

        func run() async throws {
            let link: AdminWire.SignInLink = try await AdminClient(socket: admin.socket).post("/console/link")
            print(link.url)
            printError("good once, until \(ISO8601DateFormatter().string(from: link.expires)); it signs in as an admin in your name")
        }
    }
}
