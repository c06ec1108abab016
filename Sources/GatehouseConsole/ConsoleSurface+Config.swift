import Foundation
import GatehouseLedger
import Hummingbird

/// The config in force and its history.
extension ConsoleSurface {
    func configPage(_ signedIn: SignedIn) async throws -> Response {
        let config = store.current.config
        var search = AuditSearch()
        search.kind = .configLoaded
        let loads: [[String: Any]] = try await reader.search(search, before: nil, limit: 100, scan: Int.max).records.map { stored in
            let record = stored.record
            return [
                "sequence": record.sequence, "time": Self.display(record.time), "timeISO": Self.iso(record.time),
                "revision": String((record.configRevision ?? "").prefix(12)), "current": record.configRevision == config.revision,
                "file": record.reason ?? "", "by": record.approver ?? "the daemon",
            ]
        }
        var values: [String: Any] = [
            "file": config.file, "routes": config.routes.map(\.name).joined(separator: ", "),
            "channels": config.channels.keys.sorted().joined(separator: ", "), "failures": reloads?.failures ?? 0,
            "loads": loads, "hasLoads": !loads.isEmpty,
        ]
        if let last = reloads?.lastFailure { values["lastFailure"] = last }
        var frame = frame("Config", signedIn, at: "Config")
        frame["revision"] = config.revision
        return render("config", frame, values)
    }
}
