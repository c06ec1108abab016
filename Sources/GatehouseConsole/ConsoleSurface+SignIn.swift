import Foundation
import GatehouseCore
import Hummingbird

/// Signing in with DingTalk, and out.
extension ConsoleSurface {
    func signInPage(_ request: Request) -> Response {
        let next = Self.safeNext(Self.query(request)["next"])
        return render("signin", frame("Sign in", nil), ["next": Self.queryValue(next)])
    }

    /// Sends the browser to DingTalk's sign-in page, with a state bound to this browser by a cookie.
    func startSignIn(_ request: Request) async -> Response {
        guard let console else { return message(status: .notFound, "No console", "The config has no console section.", nil) }
        let next = Self.safeNext(Self.query(request)["next"])
        let (state, binding) = await sessions.begin(next: next)
        var response = Self.redirect(signIn.authorizeURL(redirect: console.url + "/signin/callback", state: state))
        response.setCookie(
            Cookie(
                name: Self.signInCookie,
                value: binding,
                maxAge: Int(ConsoleSessions.attemptLifetime.components.seconds),
                path: "/signin",
                secure: console.isSecure,
                httpOnly: true,
                sameSite: .lax
            )
        )
        return response
    }

    /// DingTalk sends the browser back: the state must be the one this browser was given; the
    /// code then names the person, whose role the config gives.
    func finishSignIn(_ request: Request) async -> Response {
        guard let console else { return message(status: .notFound, "No console", "The config has no console section.", nil) }
        let query = Self.query(request)
        let state = query["state"] ?? ""
        guard let next = await sessions.finish(state: state, binding: request.cookies[Self.signInCookie]?.value) else {
            await audit("sign-in refused: the sign-in was not started in this browser, or has expired", by: nil)
            return message(status: .badRequest, "Sign-in failed", "This sign-in was not started here, or took too long.", nil, again: true)
        }
        if let error = query["error"] {
            await audit("sign-in refused at DingTalk (\(error.prefix(64)))", by: nil)
            return message(status: .forbidden, "Sign-in cancelled", "DingTalk did not sign you in.", nil, again: true)
        }
        guard let code = query["authCode"] ?? query["code"], !code.isEmpty, code.utf8.count <= 512 else {
            await audit("sign-in refused: DingTalk sent no code", by: nil)
            return message(status: .badRequest, "Sign-in failed", "DingTalk sent no sign-in code.", nil, again: true)
        }
        let person: ReviewerIdentity
        do {
            person = try await signIn.identify(code: code)
        } catch {
            logger.warning("a console sign-in failed", metadata: ["gh.error": .string(String(describing: error))])
            await audit("sign-in refused: DingTalk could not say who signed in", by: nil)
            return message(status: .forbidden, "Sign-in failed", "DingTalk could not tell who you are; try again.", nil, again: true)
        }
        guard let role = console.role(of: person) else {
            await audit("sign-in refused: no console role", by: person)
            return message(
                status: .forbidden,
                "No access",
                "\(person.name ?? person.id) has no role in this console. Ask its administrator to add you to console.roles.",
                nil
            )
        }
        // Write-ahead: no session before the log says who signed in.
        guard await audit("signed in as \(role.rawValue)", by: person) else {
            return message(
                status: .serviceUnavailable,
                "Sign-in failed",
                unaudited("the sign-in"),
                nil,
                again: true
            )
        }
        let (token, _) = await sessions.open(person, role: role)
        logger.info("console sign-in", metadata: ["gh.actor": .string(person.display), "gh.role": .string(role.rawValue)])
        var response = Self.redirect(next)
        response.setCookie(
            Cookie(name: sessionCookie, value: token, path: "/", secure: console.isSecure, httpOnly: true, sameSite: .lax)
        )
        response.setCookie(
            Cookie(name: Self.signInCookie, value: "", maxAge: 0, path: "/signin", secure: console.isSecure, httpOnly: true, sameSite: .lax)
        )
        return response
    }

    /// A break-glass link from the admin socket: an admin session in its operator's name, once.
    func signInWithLink(_ request: Request) async -> Response {
        guard let console else { return message(status: .notFound, "No console", "The config has no console section.", nil) }
        guard let token = Self.query(request)["token"], let person = links?.redeem(token) else {
            await audit("break-glass sign-in refused: the link is unknown, used or expired", by: nil)
            return message(status: .forbidden, "Sign-in failed", "This link is unknown, used or expired; ask for another on the admin socket.", nil)
        }
        guard await audit("signed in with a break-glass link as admin", by: person) else {
            return message(status: .serviceUnavailable, "Sign-in failed", unaudited("the sign-in"), nil)
        }
        let (cookie, _) = await sessions.open(person, role: .admin, breakGlass: true)
        logger.warning("console sign-in with a break-glass link", metadata: ["gh.actor": .string(person.display)])
        var response = Self.redirect("/")
        response.setCookie(Cookie(name: sessionCookie, value: cookie, path: "/", secure: console.isSecure, httpOnly: true, sameSite: .lax))
        return response
    }

    func signOut(_ request: Request) async throws -> Response {
        // Allowed on a standby too: its audit record is written by the active instance.
        try await action(request, need: .viewer, changesNothing: true) { signedIn, _ in
            await sessions.close(signedIn.token)
            await audit("signed out", by: signedIn.session.person)
            var response = Self.redirect("/signin")
            response.setCookie(
                Cookie(name: sessionCookie, value: "", maxAge: 0, path: "/", secure: console?.isSecure ?? false, httpOnly: true, sameSite: .lax)
            )
            return response
        }
    }

    /// Why `what` was not done: its audit record could not be written.
    func unaudited(_ what: String) -> String {
        guard let standby else { return "The audit log cannot record \(what) now; try again in a moment." }
        let active = standby.activeInstance().map { "the active instance (\($0))" } ?? "an active instance (none holds the lease now)"
        return
            "This instance stands by and writes no audit record itself; \(what) needs \(active) to record it, and it did not answer. Try again in a moment."
    }

    /// Audits a use of the console; whether it was written (a failure is logged).
    @discardableResult
    func audit(_ what: String, by person: ReviewerIdentity?) async -> Bool {
        do {
            if let standby {
                // A standby must not write the ledger: the active instance appends the record.
                try await standby.record(what, person)
            } else {
                _ = try await ledger.recordConsoleAccess(what, by: person, at: clock.now)
            }
            return true
        } catch {
            logger.error(
                "a console access could not be audited",
                metadata: ["gh.error": .string(String(describing: error)), "gh.what": .string(what)]
            )
            return false
        }
    }
}
