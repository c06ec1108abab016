import Foundation
import GRDB
import GatehouseCore
import GatehouseLedger

/// Builders for test data.
public enum Fixtures {
    /// A ledger on an in-memory SQLite database: the real schema and SQL, nothing on disk.
    public static func memoryLedger() throws -> SQLLedger {
        try SQLLedger(writer: DatabaseQueue(), contentKey: .ephemeral())
    }

    /// A post by `sender` in `conversation` on `platform`.
    public static func envelope(
        platform: String,
        conversation: String,
        messageID: String = UUID().uuidString,
        text: String,
        sender: String = "u1",
        senderName: String = "Ada",
        kind: Envelope.Kind = .post,
        topic: Int64? = nil
    ) -> Envelope {
        Envelope(
            origin: .init(
                platform: platform,
                conversation: conversation,
                topic: topic,
                messageID: messageID,
                eventID: kind == .post ? messageID : "\(messageID)/\(kind.rawValue)"
            ),
            sender: .init(id: sender, name: senderName, department: "Sales"),
            kind: kind,
            body: .init(text: text),
            time: Date(timeIntervalSince1970: 1_790_000_000)
        )
    }

    /// A fresh, empty directory under the system's temporary directory.
    public static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
