import Foundation
import GatehouseCore
import GatehouseLedger
import Hummingbird

/// The config in force, its files, its history and what changed between two revisions.
extension ConsoleSurface {
    func configPage(_ signedIn: SignedIn) async throws -> Response {
        let config = store.current.config
        var search = AuditSearch()
        search.kind = .configLoaded
        let records = try await reader.search(search, before: nil, limit: 100, scan: Int.max).records.map(\.record)
        let loads: [[String: Any]] = records.enumerated().map { index, record in
            let revision = record.configRevision ?? ""
            // The load before this one (the list is newest first): what this one changed.
            let previous = records.dropFirst(index + 1).first?.configRevision
            var load: [String: Any] = [
                "sequence": record.sequence, "time": Self.display(record.time), "timeISO": Self.iso(record.time),
                "revision": String(revision.prefix(12)), "current": revision == config.revision,
                "file": record.reason ?? "", "by": record.approver ?? "the daemon",
            ]
            if let previous, previous != revision {
                load["diff"] = "/config/diff?from=\(previous)&to=\(revision)"
            } else if previous != nil {
                load["unchanged"] = true
            }
            return load
        }
        var refusals = AuditSearch()
        refusals.kind = .configRefused
        let refused: [[String: Any]] = try await reader.search(refusals, before: nil, limit: 20, scan: Int.max).records.map(\.record).map {
            [
                "sequence": $0.sequence, "time": Self.display($0.time), "timeISO": Self.iso($0.time),
                "serving": String(($0.configRevision ?? "").prefix(12)), "by": $0.approver ?? "a signal (SIGHUP)",
                "problems": ($0.reason ?? "").components(separatedBy: "\n"),
            ]
        }
        let sources = try await reader.configSources(revision: config.revision)
        var values: [String: Any] = [
            "file": config.file, "routes": config.routes.map(\.name).joined(separator: ", "),
            "channels": config.channels.keys.sorted().joined(separator: ", "), "failures": reloads?.failures ?? 0,
            "loads": loads, "hasLoads": !loads.isEmpty, "refused": refused, "hasRefused": !refused.isEmpty,
            "sources": (sources ?? []).map { ["path": $0.path, "text": $0.text] }, "hasSources": sources != nil,
        ]
        if let last = reloads?.lastFailure { values["lastFailure"] = last }
        var frame = frame("Config", signedIn, at: "Config")
        frame["revision"] = config.revision
        return render("config", frame, values)
    }

    /// What changed from one revision's files to another's, file by file, as a unified diff.
    func configDiff(_ request: Request, _ signedIn: SignedIn) async throws -> Response {
        let query = Self.query(request)
        guard let from = query["from"].flatMap(Self.revision), let to = query["to"].flatMap(Self.revision) else {
            return message(status: .badRequest, "No such comparison", "Compare two revisions from the config's history.", signedIn)
        }
        guard let old = try await reader.configSources(revision: from), let new = try await reader.configSources(revision: to) else {
            return message(
                status: .notFound,
                "Not kept",
                "The log does not hold the files of one of these revisions (they are kept from the first load by this version on).",
                signedIn
            )
        }
        let paths = (old.map(\.path) + new.map(\.path)).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let files: [[String: Any]] = paths.compactMap { path in
            let before = old.first { $0.path == path }?.text
            let after = new.first { $0.path == path }?.text
            guard before != after else { return nil }
            let status = before == nil ? "added" : after == nil ? "removed" : "changed"
            guard let lines = LineDiff.lines(from: Self.lines(before), to: Self.lines(after)) else {
                return ["path": path, "status": status, "tooDifferent": true]
            }
            let hunks: [[String: Any]] = LineDiff.hunks(lines).map { hunk in
                [
                    "lines": hunk.map { line in
                        [
                            "kind": line.kind.rawValue, "old": line.old.map(String.init) ?? "", "new": line.new.map(String.init) ?? "",
                            "sign": line.kind == .added ? "+" : line.kind == .removed ? "−" : " ", "text": line.text,
                        ]
                    }
                ]
            }
            return ["path": path, "status": status, "hunks": hunks]
        }
        return render(
            "configDiff",
            frame("Config changes", signedIn, at: "Config"),
            ["from": String(from.prefix(12)), "to": String(to.prefix(12)), "files": files, "same": files.isEmpty]
        )
    }

    /// A revision as the history links give it: 64 hex digits.
    static func revision(_ text: String) -> String? {
        text.count == 64 && text.allSatisfy(\.isHexDigit) ? text.lowercased() : nil
    }

    /// A file's lines (none for a file that is not there).
    static func lines(_ text: String?) -> [String] {
        guard let text, !text.isEmpty else { return [] }
        return text.components(separatedBy: "\n")
    }
}
