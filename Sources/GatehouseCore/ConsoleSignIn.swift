/// Signs a person in to the web console with the company's own identities (OAuth 2.0's
/// authorization code flow with a DingTalk app): no passwords of Gatehouse's own.
public protocol ConsoleSignIn: Sendable {
    /// Where to send the browser to sign in; the platform sends it back to `redirect` with a
    /// code and the same `state` (or an error and the state).
    func authorizeURL(redirect: String, state: String) -> String

    /// Who a code the platform sent back names, as their organisation knows them: staff id,
    /// name, departments. Throws when the code is not good (made up, used, expired) or the person
    /// cannot be told.
    func identify(code: String) async throws -> ReviewerIdentity
}
