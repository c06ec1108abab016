import Foundation
import GatehouseConfig
import GatehouseCore
import HTTPTypes
import Hummingbird

extension ConsoleSurface {
    /// A request's session, with the role the config in force gives its person now.
    struct SignedIn {
        var session: ConsoleSession
        var role: ConsoleRole
        var token: String

        func may(_ needed: ConsoleRole) -> Bool { role >= needed }
    }

    /// The session the request's cookie names, if it lasts and its person still has a role.
    func signedIn(_ request: Request) async -> SignedIn? {
        guard let token = request.cookies[sessionCookie]?.value, !token.isEmpty, let session = await sessions.session(token) else {
            return nil
        }
        if session.breakGlass { return SignedIn(session: session, role: session.role, token: token) }
        guard let role = console?.role(of: session.person) else {
            // The config no longer gives them a role: the session ends here.
            await sessions.close(token)
            return nil
        }
        return SignedIn(session: session, role: role, token: token)
    }

    /// A page that needs `need`: to sign-in when nobody is signed in, refused when the role
    /// falls short.
    func page(_ request: Request, need: ConsoleRole, _ body: (SignedIn) async throws -> Response) async throws -> Response {
        guard let signedIn = await signedIn(request) else {
            return Self.redirect("/signin?next=" + Self.queryValue(Self.safeNext(request.uri.path + (request.uri.query.map { "?" + $0 } ?? ""))))
        }
        guard signedIn.may(need) else {
            return message(
                status: .forbidden,
                "Not allowed",
                "This page needs the \(need.rawValue) role; you are a \(signedIn.role.rawValue).",
                signedIn
            )
        }
        return try await body(signedIn)
    }

    /// A form's action: signed in with `need`, from the console's own origin, with the session's
    /// CSRF token; the form's fields. Refused on a standby, which changes nothing, unless the
    /// action `changesNothing` (signing out).
    func action(
        _ request: Request,
        need: ConsoleRole,
        changesNothing: Bool = false,
        _ body: (SignedIn, [String: String]) async throws -> Response
    ) async throws -> Response {
        guard let signedIn = await signedIn(request) else { return Self.redirect("/signin") }
        if let origin = request.headers[.origin], origin != Self.origin(of: console?.url ?? "") {
            return message(status: .forbidden, "Refused", "The form came from another site.", signedIn)
        }
        guard let form = await Self.form(request) else {
            return message(status: .contentTooLarge, "Refused", "The form is too large.", signedIn)
        }
        guard let csrf = form["csrf"], ConsoleSessions.constantTimeEqual(csrf, signedIn.session.csrf) else {
            return message(status: .forbidden, "Refused", "The form has expired; reload the page and try again.", signedIn)
        }
        guard signedIn.may(need) else {
            return message(status: .forbidden, "Not allowed", "This needs the \(need.rawValue) role; you are a \(signedIn.role.rawValue).", signedIn)
        }
        if let standby, !changesNothing {
            return message(status: .conflict, "Read-only", standby.banner, signedIn)
        }
        return try await body(signedIn, form)
    }

    /// The fields every page's layout reads.
    func frame(_ title: String, _ signedIn: SignedIn?, at section: String? = nil, holdsWaiting: Int? = nil) -> [String: Any] {
        var frame: [String: Any] = ["title": title, "revision": String(store.current.config.revision.prefix(12))]
        if let standby { frame["standby"] = standby.banner }
        if let signedIn {
            frame["signedIn"] = true
            frame["csrf"] = signedIn.session.csrf
            frame["personName"] = signedIn.session.person.name ?? signedIn.session.person.id
            frame["personID"] = signedIn.session.person.display
            frame["role"] = signedIn.role.rawValue
            if let holdsWaiting, holdsWaiting > 0 { frame["holdsWaiting"] = holdsWaiting }
        }
        if let section { frame["at" + section] = true }
        return frame
    }

    /// A page rendered from `template` with `values` over the layout's `frame`.
    func render(_ template: String, _ frame: [String: Any], _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let html = templates.render(frame.merging(values) { _, page in page }, withTemplate: template) ?? ""
        return Self.html(html, status: status)
    }

    func message(status: HTTPResponse.Status, _ heading: String, _ text: String, _ signedIn: SignedIn?, again: Bool = false) -> Response {
        render("message", frame(heading, signedIn), ["heading": heading, "text": text, "again": again], status: status)
    }

    /// An HTML page with the headers every console page carries: nothing cached, nothing framed,
    /// nothing loaded from anywhere but the console itself.
    static func html(_ html: String, status: HTTPResponse.Status) -> Response {
        var response = Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
        secure(&response.headers)
        return response
    }

    static func secure(_ headers: inout HTTPFields) {
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
    }

    static func asset(_ text: String, type: String) -> Response {
        var response = Response(
            status: .ok,
            headers: [.contentType: type, .cacheControl: "max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
        response.headers[.xContentTypeOptions] = "nosniff"
        return response
    }

    /// A 303 to `location` (after a POST, the browser GETs it).
    static func redirect(_ location: String) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        secure(&response.headers)
        return response
    }

    /// Where to go after signing in: a path of this console, never another site's address.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"), next.utf8.count <= 512,
            !next.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\\" })
        else { return "/" }
        return next
    }

    /// `scheme://host[:port]` of a URL, as a browser's Origin header gives it.
    static func origin(of url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return "" }
        return "\(scheme.lowercased())://\(host.lowercased())" + (components.port.map { ":\($0)" } ?? "")
    }

    /// Percent-encodes a query value.
    static func queryValue(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#/")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// An `application/x-www-form-urlencoded` body's fields (the first of each name), or nil when
    /// it is larger than ``maxFormBytes``.
    static func form(_ request: Request) async -> [String: String]? {
        var request = request
        guard let buffer = try? await request.collectBody(upTo: maxFormBytes) else { return nil }
        return fields(String(buffer: buffer))
    }

    /// The query's parameters (the first of each name), read as a form encodes them: a GET form
    /// sends a space as `+`.
    static func query(_ request: Request) -> [String: String] {
        fields(request.uri.query ?? "")
    }

    private static func fields(_ encoded: String) -> [String: String] {
        var fields: [String: String] = [:]
        for item in URLComponents(string: "?" + encoded.replacingOccurrences(of: "+", with: "%20"))?.queryItems ?? []
        where fields[item.name] == nil {
            fields[item.name] = item.value ?? ""
        }
        return fields
    }

    /// A time as people read it (UTC, to the minute) and as `<time datetime>` takes it.
    static func display(_ date: Date) -> String {
        date.formatted(
            Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(
                .colon
            )
        )
        .replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }

    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// A duration as people read it: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`.
    static func age(_ seconds: TimeInterval) -> String {
        let total = Int(max(0, seconds))
        switch total {
        case ..<60: return "\(total) s"
        case ..<3600: return "\(total / 60) min"
        case ..<86_400: return "\(total / 3600) h \(total % 3600 / 60) min"
        default: return "\(total / 86_400) d \(total % 86_400 / 3600) h"
        }
    }
}
