import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Testing

@testable import GatehouseRuntime

/// Two instances on one PostgreSQL ledger: what the one that lost the lease still receives (a
/// DingTalk robot message pushed to it alone while it was paused) reaches the active one through
/// the database, and is decided there once.
@Suite(.enabled(if: LedgerBackend.postgresURL != nil, "needs GATEHOUSE_TEST_POSTGRES"))
struct HandoverTests {
    let config: GatewayConfig

    init() throws {
        config = try ConfigLoader(environment: [:]).load(yaml: GatewayTests.yaml, file: "test.yaml")
    }

    /// An intake on `store`, deciding by the gateway tests' config, handing over through it.
    func ingress(_ store: PostgresStore, instance: String) -> (Ingress, SQLLedger) {
        let ledger = SQLLedger(store: store, contentKey: .ephemeral())
        let dispatcher = Dispatcher(config: config, ledger: ledger, adapters: [], logger: quietLogger("test"))
        let ingress = Ingress(
            store: ConfigStore(config),
            adapters: [],
            ledger: ledger,
            dispatcher: dispatcher,
            handover: Handover(store: store),
            instance: instance,
            logger: quietLogger("test")
        )
        return (ingress, ledger)
    }

    /// A message in the all-hands conversation, which the announcements route takes to news.
    func event(_ id: String, acknowledged: Recorder<String>) -> InboundEvent {
        InboundEvent(
            envelope: Fixtures.envelope(platform: "corp", conversation: "cidA", messageID: id, text: "update \(id)"),
            acknowledgement: Acknowledgement { _ = acknowledged.append(id) }
        )
    }

    @Test func aFencedOutInstanceHandsOverWhatItReceivesAndTheActiveOneDecidesItOnce() async throws {
        let first = try await LedgerBackend.freshSchema()
        let second = try await PostgresStore.open(first.location)
        let paused = LedgerLease(store: first, holder: "paused", duration: .seconds(30))
        let active = LedgerLease(store: second, holder: "active", duration: .seconds(30))
        paused.fence(try #require(try await paused.acquire()))
        // The first instance was paused past its lease; the second took over.
        try await second.write { db in try db.run(sql: "UPDATE lease SET expires_at = now() - interval '1 second'") }
        active.fence(try #require(try await active.acquire()))
        let (late, _) = ingress(first, instance: "paused")
        let (current, ledger) = ingress(second, instance: "active")

        // The paused instance wakes and reads what was pushed to it meanwhile: it cannot commit,
        // so it hands the messages over, and confirms them only then.
        let acknowledged = Recorder<String>()
        try await late.handle([event("m1", acknowledged: acknowledged), event("m2", acknowledged: acknowledged)])
        #expect(acknowledged.values == ["m1", "m2"])
        let waiting = try await Handover(store: second).pending()
        #expect(waiting.events.map(\.envelope.origin.eventID) == ["m1", "m2"] && waiting.events.allSatisfy { $0.origin == "paused" })
        // Only the lease's holder takes them off the table.
        await #expect(throws: LedgerError.self) { try await Handover(store: first).remove(waiting.events.map(\.id)) }

        // m2 reached the active instance too (a platform that pushes again): decided once.
        try await current.handle([event("m2", acknowledged: acknowledged)])
        try await withServices([current]) {
            #expect(await eventually { (try? await Handover(store: second).pending().events.isEmpty) == true })
        }
        let crossings = try await ledger.records(from: 1, limit: 100).filter { $0.kind == .crossing }
        #expect(crossings.compactMap(\.origin?.messageID).sorted() == ["m1", "m2"])
        #expect(crossings.allSatisfy { $0.route == "announcements" })
        try await first.close()
        try await second.close()
    }

    @Test func anInstanceWithoutAHandoverFailsItsIntakeAsBefore() async throws {
        let first = try await LedgerBackend.freshSchema()
        let lease = LedgerLease(store: first, holder: "gone", duration: .seconds(30))
        lease.fence(try #require(try await lease.acquire()))
        let other = try await PostgresStore.open(first.location)
        try await other.write { db in try db.run(sql: "UPDATE lease SET expires_at = now() - interval '1 second'") }
        try await other.close()
        let ledger = SQLLedger(store: first, contentKey: .ephemeral())
        let dispatcher = Dispatcher(config: config, ledger: ledger, adapters: [], logger: quietLogger("test"))
        let ingress = Ingress(config: config, adapters: [], ledger: ledger, dispatcher: dispatcher, logger: quietLogger("test"))
        let acknowledged = Recorder<String>()
        // Not confirmed: a platform that pushes again brings it to the active instance.
        await #expect(throws: LedgerError.self) { try await ingress.handle([event("m1", acknowledged: acknowledged)]) }
        #expect(acknowledged.values.isEmpty)
        try await first.close()
    }
}
