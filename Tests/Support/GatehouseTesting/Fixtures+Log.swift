import Foundation
import GRDB
import GatehouseCore
import GatehouseLedger

extension Fixtures {
    /// An in-memory ledger of `count` crossing records, checkpointed under `origin` every `every`
    /// records and at the end, with the key that signed it.
    public static func checkpointedLog(
        records count: Int,
        every: Int,
        origin: String = "acme.example/gatehouse"
    ) async throws -> (queue: DatabaseQueue, ledger: SQLLedger, key: (signer: NoteSigner, privateKey: Secret, verifierKey: String)) {
        let key = try NoteSigner.generate(name: origin)
        let queue = try DatabaseQueue()
        let ledger = try SQLLedger(writer: queue, contentKey: .ephemeral())
        for index in 1...count {
            _ = try await ledger.commit(
                Intake(
                    envelope: envelope(platform: "corp", conversation: "cid", messageID: "m\(index)", text: "text \(index)"),
                    crossings: [Crossing(route: "r", source: "s", destination: "d", direction: .outbound, verdict: .block, findings: [], text: "x")],
                    configRevision: "rev",
                    receivedAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(index))
                )
            )
            if index % every == 0 || index == count { _ = try await ledger.checkpoint(origin: origin, signer: key.signer, at: Date()) }
        }
        return (queue, ledger, key)
    }
}
