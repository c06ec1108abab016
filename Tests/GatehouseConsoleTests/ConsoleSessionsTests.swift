import Foundation
import GatehouseCore
import Testing

@testable import GatehouseConsole

/// The console's sessions and sign-ins under way: bounded, expiring, bound to the browser that
/// began them, and good once.
@Suite struct ConsoleSessionsTests {
    let person = ReviewerIdentity(via: .dingtalk, id: "m01", name: "王经理", departments: ["合规部"], platform: "corp")

    @Test func aSessionIsFoundByItsTokenUntilSignOutAndTokensAreRandomAndCookieSafe() async {
        let sessions = ConsoleSessions(lifetime: .seconds(3600), idle: .seconds(600))
        let (token, session) = await sessions.open(person, role: .reviewer)
        #expect(token.count == 43 && token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(session.csrf != token && session.csrf.count == 43)
        #expect(await sessions.session(token)?.person == person)
        #expect(await sessions.session(token + "x") == nil)
        await sessions.close(token)
        #expect(await sessions.session(token) == nil)
    }

    @Test func aSessionEndsWhenIdleOrOld() async throws {
        let idle = ConsoleSessions(lifetime: .seconds(3600), idle: .milliseconds(100))
        let (token, _) = await idle.open(person, role: .viewer)
        try await Task.sleep(for: .milliseconds(250))
        #expect(await idle.session(token) == nil)
        let old = ConsoleSessions(lifetime: .milliseconds(100), idle: .seconds(3600))
        let (other, _) = await old.open(person, role: .viewer)
        try await Task.sleep(for: .milliseconds(250))
        #expect(await old.session(other) == nil)
    }

    @Test func aSignInMustComeBackToTheBrowserThatBeganItAndOnlyOnce() async {
        let sessions = ConsoleSessions(lifetime: .seconds(3600), idle: .seconds(600))
        let (state, binding) = await sessions.begin(next: "/holds/7")
        #expect(await sessions.finish(state: state, binding: "someone else's") == nil)
        // A refused finish used the state up: the attacker's try spoils it for everyone.
        #expect(await sessions.finish(state: state, binding: binding) == nil)
        let (again, bound) = await sessions.begin(next: "/holds/7")
        #expect(await sessions.finish(state: again, binding: nil) == nil)
        let (third, browser) = await sessions.begin(next: "/holds/7")
        #expect(await sessions.finish(state: third, binding: browser) == "/holds/7")
        #expect(await sessions.finish(state: third, binding: browser) == nil)
        _ = bound
    }

    @Test func sessionsAndSignInsAreBounded() async {
        let sessions = ConsoleSessions(lifetime: .seconds(3600), idle: .seconds(600), capacity: 100, attemptCapacity: 50)
        let (kept, _) = await sessions.open(person, role: .viewer)
        for _ in 0..<150 {
            _ = await sessions.open(person, role: .viewer)
            // The one in use is not the least recently used.
            _ = await sessions.session(kept)
        }
        #expect(await sessions.count <= 100)
        #expect(await sessions.session(kept) != nil)
        let (first, binding) = await sessions.begin(next: "/")
        for _ in 0..<50 { _ = await sessions.begin(next: "/") }
        // The oldest sign-in under way made room for the newest.
        #expect(await sessions.finish(state: first, binding: binding) == nil)
    }
}
