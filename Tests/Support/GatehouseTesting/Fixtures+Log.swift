import Foundation
import GatehouseCore
import GatehouseLedger

extension Fixtures {
    /// A new ledger of `count` crossing records on `backend`, checkpointed under `origin` every
    /// `every` records and at the end, with the key that signed it.
    public static func checkpointedLog(
        records count: Int,
        every: Int,
        origin: String = "acme.example/gatehouse",
        on backend: LedgerBackend = .sqlite
    ) async throws -> (log: TestLedger, key: (signer: NoteSigner, privateKey: Secret, verifierKey: String)) {
        let key = try NoteSigner.generate(name: origin)
        let log = try await backend.open()
        let ledger = log.ledger
        // The records between two checkpoints in one group, as a busy poller hands them over:
        // the same log as one by one, in far fewer transactions.
        for start in stride(from: 1, through: count, by: every) {
            let intakes = (start...min(start + every - 1, count)).map { index in
                Intake(
                    envelope: envelope(platform: "corp", conversation: "cid", messageID: "m\(index)", text: "text \(index)"),
                    crossings: [Crossing(route: "r", source: "s", destination: "d", direction: .outbound, verdict: .block, findings: [], text: "x")],
                    configRevision: "rev",
                    receivedAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(index))
                )
            }
            for result in try await ledger.commit(intakes) { _ = try result.get() }
            _ = try await ledger.checkpoint(origin: origin, signer: key.signer, at: Date())
        }
        return (log, key)
    }
}
