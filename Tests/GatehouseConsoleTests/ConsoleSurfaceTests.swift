import Foundation
import GatehouseConfig
import GatehouseCore
import GatehouseLedger
import GatehouseRuntime
import GatehouseTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GatehouseConsole

/// The console's pages and forms, driven without a socket (Hummingbird's router test mode), with
/// a sign-in that names whoever a code says.
@Suite(.timeLimit(.minutes(1))) struct ConsoleSurfaceTests {
    static let yaml = """
        platforms:
          corp: { type: dingtalk, side: internal, client_id: d, client_secret: s }
          tg: { type: telegram, side: external, token: "1:x" }
        channels:
          all-hands: { platform: corp, conversation: cidA }
          news: { platform: tg, chat: -1001 }
        listen: { console: "127.0.0.1:0" }
        console:
          url: http://127.0.0.1:8443
          sign_in: corp
          roles: { admin: [staff:boss], reviewer: [staff:m01, staff:sender], viewer: [department:审计部] }
        review: { platform: corp, card_template: tpl }
        checks:
          secret: { keywords: [机密] }
        routes:
          - { name: announcements, from: all-hands, to: [news], on: { secret: hold }, reviewers: [staff:m01, staff:sender] }
        """

    /// Whoever the code names: the code is the staff id; `audit-*` people are in 审计部.
    struct NamedByCode: ConsoleSignIn {
        struct Unknown: Error {}

        func authorizeURL(redirect: String, state: String) -> String {
            "https://login.example/oauth2/auth?redirect_uri=\(ConsoleSurface.queryValue(redirect))&state=\(ConsoleSurface.queryValue(state))"
        }

        func identify(code: String) async throws -> ReviewerIdentity {
            guard code != "bad" else { throw Unknown() }
            let departments = code.hasPrefix("audit-") ? ["审计部"] : []
            return ReviewerIdentity(via: .dingtalk, id: code, name: "Person \(code)", departments: departments, platform: "corp")
        }
    }

    let config: GatewayConfig
    let ledger: SQLLedger
    let gateway: Gateway
    let console: ConsoleSurface
    let links = SignInLinks()

    init() throws {
        config = try ConfigLoader(environment: [:]).load(yaml: Self.yaml, file: "test.yaml")
        ledger = try Fixtures.memoryLedger()
        gateway = Gateway(
            config: config,
            ledger: ledger,
            adapters: [FakeAdapter(platform: "corp"), FakeAdapter(platform: "tg")],
            logger: quietLogger("test")
        )
        console = try ConsoleSurface(
            console: try #require(config.console),
            listen: HostPort("127.0.0.1:0")!,
            store: gateway.store,
            ledger: ledger,
            reader: LedgerReader(store: ledger.store),
            reviews: gateway.reviews,
            actions: gateway.actions,
            links: links,
            signIn: NamedByCode(),
            logger: quietLogger("test")
        )
    }

    /// Holds a message in all-hands from `sender`.
    func hold(_ text: String, sender: String = "sender") async throws -> Int64 {
        let envelope = Fixtures.envelope(platform: "corp", conversation: "cidA", text: text, sender: sender)
        _ = try await ledger.commit(
            Intake(envelope: envelope, crossings: config.gate.crossings(for: envelope), configRevision: config.revision, receivedAt: Date())
        )
        return try #require(try await ledger.jobs(in: .held, limit: 100).last?.id)
    }

    /// A browser: it keeps the cookies it is given.
    final class Browser: @unchecked Sendable {
        var cookies: [String: String] = [:]
        let client: any TestClientProtocol

        init(_ client: any TestClientProtocol) { self.client = client }

        func go(_ uri: String, method: HTTPRequest.Method = .get, form: String? = nil, origin: String? = nil) async throws -> TestResponse {
            var headers: HTTPFields = [:]
            if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
            if form != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
            if let origin { headers[.origin] = origin }
            let response = try await client.execute(uri: uri, method: method, headers: headers, body: form.map { ByteBuffer(string: $0) })
            for value in response.headers[values: .setCookie] {
                let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                let name = String(pair[0])
                let cookie = pair.count > 1 ? String(pair[1]) : ""
                if cookie.isEmpty || value.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = cookie }
            }
            return response
        }

        /// Signs in as the person `code` names; where the console sent the browser then.
        func signIn(as code: String, next: String = "/") async throws -> TestResponse {
            let start = try await go("/signin/start?next=\(ConsoleSurface.queryValue(next))")
            let location = try #require(start.headers[.location])
            let state = try #require(SignInBrowser.parameter("state", of: location))
            return try await go("/signin/callback?authCode=\(code)&code=\(code)&state=\(ConsoleSurface.queryValue(state))")
        }

        /// The CSRF token of the page's forms.
        static func csrf(_ page: TestResponse) -> String? {
            let html = String(buffer: page.body)
            guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
            return String(html[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    func withConsole(_ body: @escaping @Sendable (Browser) async throws -> Void) async throws {
        try await Application(router: console.router()).test(.router) { client in try await body(Browser(client)) }
    }

    @Test func nobodySeesAPageWithoutSigningInAndSignInComesBackToThePageAsked() async throws {
        try await withConsole { browser in
            let first = try await browser.go("/holds")
            #expect(first.status == .seeOther && first.headers[.location] == "/signin?next=%2Fholds")
            let page = try await browser.go("/signin?next=%2Fholds")
            #expect(page.status == .ok && String(buffer: page.body).contains("/signin/start?next=%2Fholds"))
            let start = try await browser.go("/signin/start?next=%2Fholds")
            #expect(start.status == .seeOther && start.headers[.location]?.hasPrefix("https://login.example/oauth2/auth?") == true)
            #expect(start.headers[.location]?.contains(ConsoleSurface.queryValue("http://127.0.0.1:8443/signin/callback")) == true)
            let signIn = try #require(start.headers[values: .setCookie].first)
            #expect(signIn.contains("HttpOnly") && signIn.contains("SameSite=Lax") && signIn.contains("Path=/signin"))
            let location = try #require(start.headers[.location])
            let state = try #require(SignInBrowser.parameter("state", of: location))
            let back = try await browser.go("/signin/callback?authCode=m01&state=\(ConsoleSurface.queryValue(state))")
            #expect(back.status == .seeOther && back.headers[.location] == "/holds")
            let session = try #require(back.headers[values: .setCookie].first { $0.hasPrefix("gatehouse_session=") })
            #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Path=/"))
            let holds = try await browser.go("/holds")
            #expect(holds.status == .ok && String(buffer: holds.body).contains("Person m01 · reviewer"))
            // Every page: nothing cached, framed, or loaded from elsewhere.
            #expect(holds.headers[.cacheControl] == "no-store" && holds.headers[.xContentTypeOptions] == "nosniff")
            #expect(holds.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(holds.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
        }
        let log = try await ledger.records(from: 1, limit: 100).filter { $0.kind == .consoleAccess }
        #expect(log.map(\.reason) == ["signed in as reviewer"] && log.first?.reviewer?.id == "m01")
    }

    @Test func aSignInNotStartedInThisBrowserOrReplayedIsRefused() async throws {
        try await withConsole { browser in
            let start = try await browser.go("/signin/start")
            let location = try #require(start.headers[.location])
            let state = try #require(SignInBrowser.parameter("state", of: location))
            // Someone else's browser, with a state it never got a binding for.
            let stranger = Browser(browser.client)
            let stolen = try await stranger.go("/signin/callback?authCode=m01&state=\(ConsoleSurface.queryValue(state))")
            #expect(stolen.status == .badRequest && stranger.cookies["gatehouse_session"] == nil)
            // The state is spent, even for the browser it was given to.
            let replayed = try await browser.go("/signin/callback?authCode=m01&state=\(ConsoleSurface.queryValue(state))")
            #expect(replayed.status == .badRequest && browser.cookies["gatehouse_session"] == nil)
            // An open redirect is not offered: a next that leaves the console comes back home.
            #expect(try await browser.signIn(as: "m01", next: "//evil.example/x").headers[.location] == "/")
        }
    }

    @Test func someoneWithoutARoleOrWhomDingTalkCannotNameIsRefusedAndAudited() async throws {
        try await withConsole { browser in
            let stranger = try await browser.signIn(as: "stranger")
            #expect(stranger.status == .forbidden && String(buffer: stranger.body).contains("has no role in this console"))
            #expect(browser.cookies["gatehouse_session"] == nil)
            let bad = try await browser.signIn(as: "bad")
            #expect(bad.status == .forbidden)
            // A department gives a role too.
            #expect(try await browser.signIn(as: "audit-7").status == .seeOther)
            #expect(try await browser.go("/").status == .ok)
        }
        let log = try await ledger.records(from: 1, limit: 100).filter { $0.kind == .consoleAccess }
        #expect(
            log.map(\.reason) == [
                "sign-in refused: no console role", "sign-in refused: DingTalk could not say who signed in", "signed in as viewer",
            ]
        )
        #expect(log.first?.reviewer?.id == "stranger")
    }

    @Test func aReviewerApprovesAHoldFromItsPageSeeingExactlyWhatWouldBeSent() async throws {
        let id = try await hold("机密 <script>alert(1)</script> figures")
        try await withConsole { browser in
            _ = try await browser.signIn(as: "m01")
            let list = try await browser.go("/holds")
            let listed = String(buffer: list.body)
            #expect(listed.contains("/holds/\(id)") && !listed.contains("<script>alert"))
            let page = try await browser.go("/holds/\(id)")
            let html = String(buffer: page.body)
            // The text is shown as text: markup in a message cannot run in the reviewer's browser.
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert"))
            #expect(html.contains("secret") && html.contains("keyword"))
            let csrf = try #require(Browser.csrf(page))
            let decided = try await browser.go("/holds/\(id)/decide", method: .post, form: "csrf=\(csrf)&decision=approve&reason=checked+it")
            #expect(decided.status == .ok && String(buffer: decided.body).contains("Approved: the message is on its way."))
        }
        let approved = try #require(try await ledger.records(from: 1, limit: 100).first { $0.kind == .holdApproved })
        #expect(approved.reviewer?.id == "m01" && approved.reason == "checked it")
        #expect(try await ledger.job(id: id)?.state == .pending)
    }

    @Test func formsNeedTheSessionsTokenTheConsolesOriginAndTheRole() async throws {
        let id = try await hold("机密 numbers")
        try await withConsole { browser in
            _ = try await browser.signIn(as: "m01")
            let csrf = try #require(Browser.csrf(try await browser.go("/holds/\(id)")))
            let forged = try await browser.go("/holds/\(id)/decide", method: .post, form: "decision=approve")
            #expect(forged.status == .forbidden)
            let wrong = try await browser.go("/holds/\(id)/decide", method: .post, form: "csrf=\(csrf)x&decision=approve")
            #expect(wrong.status == .forbidden)
            let elsewhere = try await browser.go(
                "/holds/\(id)/decide",
                method: .post,
                form: "csrf=\(csrf)&decision=approve",
                origin: "https://evil.example"
            )
            #expect(elsewhere.status == .forbidden)
            // A viewer sees the hold but has no form, and a forged one is refused.
            let viewer = Browser(browser.client)
            _ = try await viewer.signIn(as: "audit-1")
            let page = try await viewer.go("/holds/\(id)")
            #expect(page.status == .ok && !String(buffer: page.body).contains("/decide"))
            let token = try #require(Browser.csrf(page))
            #expect(try await viewer.go("/holds/\(id)/decide", method: .post, form: "csrf=\(token)&decision=approve").status == .forbidden)
        }
        #expect(try await ledger.job(id: id)?.state == .held)
    }

    @Test func theRoutesRulesStillDecideAndTheSenderCannotApproveTheirOwnMessage() async throws {
        let id = try await hold("机密 own", sender: "sender")
        try await withConsole { browser in
            _ = try await browser.signIn(as: "sender")
            let csrf = try #require(Browser.csrf(try await browser.go("/holds/\(id)")))
            let answer = try await browser.go("/holds/\(id)/decide", method: .post, form: "csrf=\(csrf)&decision=approve")
            #expect(String(buffer: answer.body).contains("Refused (and recorded)"))
        }
        #expect(try await ledger.job(id: id)?.state == .held)
        #expect(try await ledger.records(from: 1, limit: 100).contains { $0.kind == .decisionRefused && $0.reviewer?.id == "sender" })
    }

    @Test func signOutEndsTheSessionAndARoleTakenAwayEndsItToo() async throws {
        try await withConsole { browser in
            _ = try await browser.signIn(as: "m01")
            let page = try await browser.go("/")
            #expect(page.status == .ok && String(buffer: page.body).contains("holds waiting"))
            let token = try #require(browser.cookies["gatehouse_session"])
            let out = try await browser.go("/signout", method: .post, form: "csrf=\(try #require(Browser.csrf(page)))")
            #expect(out.status == .seeOther && out.headers[.location] == "/signin")
            browser.cookies["gatehouse_session"] = token
            #expect(try await browser.go("/").status == .seeOther)

            _ = try await browser.signIn(as: "boss")
            #expect(try await browser.go("/").status == .ok)
            // A reload that takes boss out of the roles: the next request finds no session.
            let without = try ConfigLoader(environment: [:]).load(
                yaml: Self.yaml.replacingOccurrences(of: "admin: [staff:boss]", with: "admin: [staff:ceo]"),
                file: "test.yaml"
            )
            _ = gateway.store.swap(to: without)
            #expect(try await browser.go("/").status == .seeOther)
        }
        #expect(try await ledger.records(from: 1, limit: 100).filter { $0.kind == .consoleAccess }.map(\.reason).contains("signed out"))
    }

    @Test func theAuditLogIsSearchedAndARecordsProofDownloaded() async throws {
        let id = try await hold("机密 <b>bold</b> figures for =HYPERLINK(\"x\")")
        let crossing = try #require(try await ledger.job(id: id)?.crossing)
        try await withConsole { browser in
            _ = try await browser.signIn(as: "audit-9")
            let found = try await browser.go("/audit?text=%3Cb%3Ebold&check=secret")
            let html = String(buffer: found.body)
            #expect(found.status == .ok && html.contains("/audit/\(crossing)") && !html.contains("<b>bold</b>"))
            #expect(String(buffer: try await browser.go("/audit?text=nothing+like+it").body).contains("No record matches"))
            #expect(try await browser.go("/audit?from=yesterday").status == .badRequest)
            let record = String(buffer: try await browser.go("/audit/\(crossing)").body)
            #expect(record.contains("&lt;b&gt;bold&lt;/b&gt;") && record.contains("No checkpoint covers this record yet"))
            #expect(try await browser.go("/audit/\(crossing)/proof").status == .notFound)
            _ = try await ledger.checkpoint(origin: "test.example/log", signer: try NoteSigner.generate(name: "test.example/log").signer, at: Date())
            let proof = try await browser.go("/audit/\(crossing)/proof")
            #expect(proof.status == .ok && String(buffer: proof.body).hasPrefix("c2sp.org/tlog-proof@v1\nextra "))
            #expect(proof.headers[.contentDisposition] == "attachment; filename=\"record-\(crossing).tlog-proof\"")
            // An export is a file, and a spreadsheet opening it runs nothing an outsider wrote.
            let csv = try await browser.go("/audit/export?format=csv&check=secret")
            let rows = String(buffer: csv.body).split(separator: "\n")
            #expect(csv.status == .ok && rows.count == 2 && rows[0].hasPrefix("sequence,time,kind"))
            #expect(csv.headers[.contentDisposition] == "attachment; filename=\"gatehouse-audit.csv\"")
            let jsonl = try await browser.go("/audit/export?format=jsonl&route=announcements")
            #expect(String(buffer: jsonl.body).hasPrefix(#"{"record":{"#))
        }
        let exports = try await ledger.records(from: 1, limit: 100).filter { $0.kind == .consoleAccess && $0.reason?.hasPrefix("exported") == true }
        #expect(exports.map(\.reason) == ["exported 1 records as csv (check=secret)", "exported 1 records as jsonl (route=announcements)"])
        #expect(exports.allSatisfy { $0.reviewer?.id == "audit-9" })
    }

    @Test func anAdminRetriesADeadLetterAndCancelsAScheduledAnnouncementWithAReasonAndAViewerOnlyLooks() async throws {
        // A forwarded message whose delivery was given up, and an announcement for tomorrow.
        let envelope = Fixtures.envelope(platform: "corp", conversation: "cidA", text: "the Q3 figures")
        _ = try await ledger.commit(
            Intake(envelope: envelope, crossings: config.gate.crossings(for: envelope), configRevision: config.revision, receivedAt: Date())
        )
        let job = try #require(try await ledger.head(of: "news"))
        _ = try await ledger.recordDead(try await ledger.lease(job, until: Date().addingTimeInterval(60)), reason: "chat not found", at: Date())
        let announcement = Fixtures.envelope(platform: "gatehouse", conversation: "(announce)", text: "The notice for tomorrow")
        let crossing = Crossing(
            route: "announcements",
            source: "(announce)",
            destination: "news",
            direction: .outbound,
            verdict: .forward,
            findings: [],
            text: "The notice for tomorrow"
        )
        guard
            case .committed(_, let scheduled) = try await ledger.commit(
                Intake(
                    envelope: announcement,
                    crossings: [crossing],
                    configRevision: config.revision,
                    receivedAt: Date(),
                    schedule: ["news": Date().addingTimeInterval(86_400)]
                )
            )
        else {
            Issue.record("not scheduled")
            return
        }
        try await withConsole { browser in
            let viewer = Browser(browser.client)
            _ = try await viewer.signIn(as: "audit-2")
            let seen = String(buffer: try await viewer.go("/outbox").body)
            #expect(seen.contains("the Q3 figures") && seen.contains("The notice for tomorrow"))
            #expect(!seen.contains("/outbox/\(job.id)/retry"))
            let token = try #require(Browser.csrf(try await viewer.go("/")))
            #expect(try await viewer.go("/outbox/\(job.id)/retry", method: .post, form: "csrf=\(token)&reason=x").status == .forbidden)

            _ = try await browser.signIn(as: "boss")
            let page = try await browser.go("/outbox")
            let csrf = try #require(Browser.csrf(page))
            #expect(String(buffer: page.body).contains("/outbox/\(job.id)/retry"))
            let unexplained = try await browser.go("/outbox/\(job.id)/retry", method: .post, form: "csrf=\(csrf)&reason=")
            #expect(String(buffer: unexplained.body).contains("Give a reason"))
            let retried = try await browser.go("/outbox/\(job.id)/retry", method: .post, form: "csrf=\(csrf)&reason=the+chat+is+back")
            #expect(String(buffer: retried.body).contains("Job \(job.id) sent back to its queue"))
            let cancelled = try await browser.go("/outbox/\(scheduled[0].id)/cancel", method: .post, form: "csrf=\(csrf)&reason=postponed")
            #expect(String(buffer: cancelled.body).contains("cancelled"))
        }
        #expect(try await ledger.job(id: job.id)?.state == .pending)
        #expect(try await ledger.job(id: scheduled[0].id)?.state == .cancelled)
        let records = try await ledger.records(from: 1, limit: 100)
        #expect(records.contains { $0.kind == .deadRetried && $0.reason == "the chat is back" && $0.approver?.contains("boss") == true })
    }

    @Test func theConfigPageShowsTheRevisionInForceAndItsHistoryFromTheLog() async throws {
        _ = try await ledger.recordConfigLoaded(revision: "0123456789abcdef-old", file: "test.yaml", by: nil, at: Date(timeIntervalSinceNow: -60))
        _ = try await ledger.recordConfigLoaded(revision: config.revision, file: "test.yaml", by: "uid 0 (root)", at: Date())
        try await withConsole { browser in
            _ = try await browser.signIn(as: "audit-3")
            let html = String(buffer: try await browser.go("/config").body)
            #expect(html.contains(config.revision) && html.contains("0123456789ab") && html.contains("(in force)"))
            #expect(html.contains("uid 0 (root)") && html.contains("announcements"))
        }
    }

    @Test func aBreakGlassLinkSignsItsBearerInAsAnAdminOnceInTheOperatorsName() async throws {
        let operator_ = ReviewerIdentity(via: .unix, id: "0", name: "root", groups: ["root"])
        let token = links.issue(for: operator_)
        try await withConsole { browser in
            let used = try await browser.go("/signin/link?token=\(token)")
            #expect(used.status == .seeOther && used.headers[.location] == "/")
            let page = String(buffer: try await browser.go("/outbox").body)
            #expect(page.contains("root · admin"))
            // Good once.
            let again = Browser(browser.client)
            #expect(try await again.go("/signin/link?token=\(token)").status == .forbidden)
            #expect(try await again.go("/signin/link?token=made-up").status == .forbidden)
        }
        let log = try await ledger.records(from: 1, limit: 100).filter { $0.kind == .consoleAccess }
        #expect(log.first?.reason == "signed in with a break-glass link as admin" && log.first?.reviewer?.id == "0")
        #expect(log.filter { $0.reason?.hasPrefix("break-glass sign-in refused") == true }.count == 2)
    }

    @Test func theOverviewChartsTheCrossingsAndTheDeliveriesWithTheNumbersBeside() async throws {
        _ = try await hold("机密 one")
        _ = try await hold("机密 two")
        // Two forwarded: one delivered, one dead-lettered.
        for text in ["sent", "failed"] {
            let envelope = Fixtures.envelope(platform: "corp", conversation: "cidA", text: text)
            _ = try await ledger.commit(
                Intake(envelope: envelope, crossings: config.gate.crossings(for: envelope), configRevision: config.revision, receivedAt: Date())
            )
        }
        let queued = try await ledger.jobs(in: .pending, limit: 10)
        #expect(queued.count == 2)
        _ = try await ledger.recordDelivered(queued[0], nativeIDs: ["7"], note: nil, files: [], at: Date())
        _ = try await ledger.recordDead(queued[1], reason: "chat not found", at: Date())
        try await withConsole { browser in
            _ = try await browser.signIn(as: "audit-4")
            for span in ["hours", "days", "weeks"] {
                let html = String(buffer: try await browser.go("/?span=\(span)").body)
                let charts = try Self.charts(in: html)
                #expect(charts.count == 2)
                // Crossings: the holds' and the forwarded ones' bars in the newest period; the table
                // says 2 and 2. Deliveries: one delivered, one dead.
                #expect(charts.first?.components(separatedBy: "<rect").count == 3 && charts.first?.contains("#1f5fbf") == true)
                #expect(html.contains("<td>announcements</td><td>2</td><td>0</td><td>2</td><td>0</td><td>4</td>"), "\(span)")
                #expect(charts.last?.components(separatedBy: "<rect").count == 3 && charts.last?.contains("#b3261e") == true)
                #expect(html.contains("<td>news</td><td>1</td><td>0</td><td>1</td><td>0</td><td>2</td>"), "\(span)")
            }
        }
    }

    /// The SVG documents a page's `data:` images hold, in order.
    static func charts(in html: String) throws -> [String] {
        html.components(separatedBy: "data:image/svg+xml;base64,").dropFirst().map { part in
            let encoded = String(part.prefix { $0 != "\"" })
            return String(decoding: Data(base64Encoded: encoded) ?? Data(), as: UTF8.self)
        }
    }

    @Test func theConfigPageShowsTheFilesAndWhatEachReloadChanged() async throws {
        let old = [ConfigSource(path: "/etc/gatehouse/gatehouse.yaml", text: "routes:\n  - { name: a, from: x, to: [y] }\ntoken: \"••••••\"\n")]
        let new = [ConfigSource(path: "/etc/gatehouse/gatehouse.yaml", text: "routes:\n  - { name: a, from: x, to: [y, z] }\ntoken: \"••••••\"\n")]
        let first = String(repeating: "a", count: 64)
        _ = try await ledger.recordConfigLoaded(revision: first, file: "/etc/gatehouse/gatehouse.yaml", sources: old, by: nil, at: Date())
        _ = try await ledger.recordConfigLoaded(revision: config.revision, file: "test.yaml", sources: new, by: "uid 0 (root)", at: Date())
        _ = try await ledger.recordConfigRefused(
            problems: ["test.yaml:3:5: error: no channel named '<nowhere>'"],
            serving: config.revision,
            by: nil,
            at: Date()
        )
        try await withConsole { browser in
            _ = try await browser.signIn(as: "audit-4")
            let page = String(buffer: try await browser.go("/config").body)
            #expect(page.contains("to: [y, z]") && page.contains("••••••"))
            let link = "/config/diff?from=\(first)&amp;to=\(config.revision)"
            #expect(page.contains(link))
            #expect(page.contains("<li><code>test.yaml:3:5: error: no channel named &#39;&lt;nowhere&gt;&#39;</code></li>"))
            #expect(page.contains("a signal (SIGHUP)"))
            let diff = try await browser.go(link.replacingOccurrences(of: "&amp;", with: "&"))
            let html = String(buffer: diff.body)
            #expect(diff.status == .ok)
            #expect(
                html.contains(#"<tr class="d-removed"><td>2</td><td></td><td>−</td><td><code>  - { name: a, from: x, to: [y] }</code></td></tr>"#)
            )
            #expect(
                html.contains(#"<tr class="d-added"><td></td><td>2</td><td>+</td><td><code>  - { name: a, from: x, to: [y, z] }</code></td></tr>"#)
            )
            #expect(try await browser.go("/config/diff?from=zz&to=\(first)").status == .badRequest)
            #expect(try await browser.go("/config/diff?from=\(String(repeating: "b", count: 64))&to=\(first)").status == .notFound)
        }
    }

    @Test func theReportSumsUpThePeriodAndItsPDFDownloadIsAudited() async throws {
        let id = try await hold("机密 report")
        _ = try await gateway.reviews.decide(
            job: id,
            by: ReviewerIdentity(via: .dingtalk, id: "m01", name: "周敏", platform: "corp"),
            approve: true,
            reason: "cleared by legal"
        )
        let today = PeriodReport.day(Date())
        try await withConsole { browser in
            _ = try await browser.signIn(as: "audit-4")
            let page = String(buffer: try await browser.go("/reports?from=\(today)&to=\(today)").body)
            #expect(page.contains("Period report: \(today) – \(today)"))
            #expect(page.contains("<tr><td>announcements</td><td>0</td><td>0</td><td>1</td><td>0</td><td>1</td></tr>"))
            #expect(page.contains("<td>approved</td>") && page.contains("周敏") && page.contains("cleared by legal"))
            #expect(try await browser.go("/reports?from=\(today)&to=2020-01-01").status == .badRequest)
            // The default: last month, which this test's log has nothing of.
            #expect(String(buffer: try await browser.go("/reports").body).contains("No hold was decided in the period."))
            let pdf = try await browser.go("/reports/pdf?from=\(today)&to=\(today)")
            #expect(pdf.status == .ok && pdf.headers[.contentType] == "application/pdf")
            let lines = ReportPDFTests.texts(Data(buffer: pdf.body))
            #expect(lines.contains("Gatehouse period report: \(today) – \(today)"))
            #expect(lines.contains { $0.contains("周敏") } && lines.contains { $0.contains("cleared by legal") })
        }
        let audited = try await ledger.records(from: 1, limit: 100).filter { $0.kind == .consoleAccess }.compactMap(\.reason)
        #expect(audited.contains("downloaded the period report \(today) – \(today) as PDF"))
    }
}
