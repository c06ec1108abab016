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
        return (log, key)
    }
}
