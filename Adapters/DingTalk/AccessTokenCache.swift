import Foundation
import GatehouseCore

/// The app's access token (`/v1.0/oauth2/accessToken`), cached and refreshed before it expires.
actor AccessTokenCache {
    private let client: OpenAPIClient
    private let appKey: String
    private let appSecret: Secret
    /// How long before the documented expiry a token is replaced.
    private let margin: Duration
    private var current: (token: String, expires: ContinuousClock.Instant)?
    private var inFlight: Task<AccessTokenResponse, any Error>?

    init(client: OpenAPIClient, appKey: String, appSecret: Secret, margin: Duration = .seconds(300)) {
        self.client = client
        self.appKey = appKey
        self.appSecret = appSecret
        self.margin = margin
    }

    /// The current token, fetched when there is none or it is about to expire. Callers that
    /// ask while a fetch is under way wait for that fetch rather than starting their own (the
    /// token API is rate-limited like any other).
    func token() async throws(DeliveryError) -> String {
        let now = ContinuousClock.now
        if let current, now < current.expires { return current.token }
        let fetch: Task<AccessTokenResponse, any Error>
        if let inFlight {
            fetch = inFlight
        } else {
            let client = self.client
            let request = AccessTokenRequest(appKey: appKey, appSecret: appSecret.value)
            fetch = Task { try await client.post("/v1.0/oauth2/accessToken", request) }
            inFlight = fetch
        }
        let response: AccessTokenResponse
        do {
            response = try await fetch.value
        } catch {
            if inFlight == fetch { inFlight = nil }
            throw (error as? DeliveryError) ?? .network("/v1.0/oauth2/accessToken: \(error)")
        }
        if inFlight == fetch {
            inFlight = nil
            // Refresh early, but never keep a token for less than a second (a tiny `expireIn` is a server quirk, not a loop).
            let lifetime = max(Duration.seconds(response.expireIn) - margin, .seconds(response.expireIn) / 2, .seconds(1))
            current = (response.accessToken, now + lifetime)
        }
        return response.accessToken
    }

    /// Forgets the token after the API said it is invalid.
    func invalidate(_ token: String) {
        if current?.token == token { current = nil }
    }
}
