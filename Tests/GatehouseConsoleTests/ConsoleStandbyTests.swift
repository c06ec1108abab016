import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import GatehouseConsole

/// The console of a standby instance: every page, nothing changed, and every use audited by the
/// active instance or not allowed.
@Suite(.timeLimit(.minutes(1))) struct ConsoleStandbyTests {
    typealias Browser = ConsoleSurfaceTests.Browser

    /// The active instance's side, as the admin relay reaches it: appends the record, or cannot
    /// be reached.
    final class Active: Sendable {
        let ledger: SQLLedger
        let reachable = Mutex(true)

        init(ledger: SQLLedger) { self.ledger = ledger }

        func record(_ what: String, _ person: ReviewerIdentity?) async throws {
            struct Unreachable: Error {}
            guard reachable.withLock({ $0 }) else { throw Unreachable() }
            _ = try await ledger.recordConsoleAccess(what, by: person, at: Date())
        }
    }

    let config: GatewayConfig
    let ledger: SQLLedger
    let active: Active
    let console: ConsoleSurface

    init() throws {
        config = try ConfigLoader(environment: [:]).load(yaml: ConsoleSurfaceTests.yaml, file: "test.yaml")
        ledger = try Fixtures.memoryLedger()
        let active = Active(ledger: ledger)
        self.active = active
        console = try ConsoleSurface(
            console: try #require(config.console),
            listen: HostPort("127.0.0.1:0")!,
            store: ConfigStore(config),
            ledger: ledger,
            reader: LedgerReader(store: ledger.store),
            standby: ConsoleStandby(instance: "gh-b", activeInstance: { "gh-a" }) { try await active.record($0, $1) },
            signIn: ConsoleSurfaceTests.NamedByCode(),
            logger: quietLogger("test")
        )
    }

    func withConsole(_ body: @escaping @Sendable (Browser) async throws -> Void) async throws {
        try await Application(router: console.router()).test(.router) { client in try await body(Browser(client)) }
    }

    func access() async throws -> [String] {
        try await ledger.records(from: 1, limit: 100).filter { $0.kind == .consoleAccess }.compactMap { record in
            record.reason.map { "\(record.reviewer?.id ?? "-"): \($0)" }
        }
    }

    @Test func everyPageIsShownReadOnlyNamingTheActiveInstanceAndNothingIsDecided() async throws {
        let envelope = Fixtures.envelope(platform: "corp", conversation: "cidA", text: "机密 figures", sender: "sender")
        _ = try await ledger.commit(
            Intake(envelope: envelope, crossings: config.gate.crossings(for: envelope), configRevision: config.revision, receivedAt: Date())
        )
        let id = try #require(try await ledger.jobs(in: .held, limit: 10).first?.id)
        try await withConsole { browser in
            let signedIn = try await browser.signIn(as: "boss")
            #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/")
            for path in ["/", "/holds", "/holds/\(id)", "/outbox", "/audit", "/config", "/reports"] {
                let page = try await browser.go(path)
                let html = String(buffer: page.body)
                #expect(page.status == .ok, "\(path)")
                #expect(html.contains("This instance (gh-b) stands by: gh-a is the active instance."), "\(path)")
            }
            let hold = try await browser.go("/holds/\(id)")
            let html = String(buffer: hold.body)
            #expect(html.contains("机密 figures") && !html.contains("/holds/\(id)/decide"))
            // The form posted anyway (an old page, a hand-made request): refused, nothing decided.
            let csrf = try #require(Browser.csrf(hold))
            let decided = try await browser.go("/holds/\(id)/decide", method: .post, form: "csrf=\(csrf)&decision=approve&reason=ok")
            #expect(decided.status == .conflict && String(buffer: decided.body).contains("read-only"))
            let retried = try await browser.go("/outbox/\(id)/retry", method: .post, form: "csrf=\(csrf)&reason=again")
            #expect(retried.status == .conflict)
            let signedOut = try await browser.go("/signout", method: .post, form: "csrf=\(csrf)")
            #expect(signedOut.status == .seeOther && signedOut.headers[.location] == "/signin")
        }
        #expect(try await ledger.job(id: id)?.state == .held)
        #expect(try await access() == ["boss: signed in as admin", "boss: signed out"])
    }

    @Test func withNoActiveInstanceToRecordItNobodyIsSignedIn() async throws {
        active.reachable.withLock { $0 = false }
        try await withConsole { browser in
            let refused = try await browser.signIn(as: "m01")
            #expect(refused.status == .serviceUnavailable)
            #expect(String(buffer: refused.body).contains("writes no audit record itself"))
            let page = try await browser.go("/holds")
            #expect(page.status == .seeOther && page.headers[.location]?.hasPrefix("/signin") == true)
        }
        #expect(try await access().isEmpty)
    }
}
