import Foundation
import GatehouseCore

extension LedgerReader {
    /// The files of a config revision as it was first loaded (secrets masked); nil when the log
    /// did not keep them (a revision loaded before they were kept).
    public func configSources(revision: String) async throws -> [ConfigSource]? {
        let text = try await store.read { db in
            try SQLRow.fetchAll(db, sql: "SELECT sources FROM config_source WHERE revision = ?", arguments: [revision]).first.map { row -> String in
                row["sources"]
            }
        }
        return try text.map { try JSONDecoder().decode([ConfigSource].self, from: Data($0.utf8)) }
    }
}
