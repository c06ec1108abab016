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

    init(client: OpenAPIClient, appKey: String, appSecret: Secret, margin: Duration = .seconds(300)) {
        self.client = client
        self.appKey = appKey
        self.appSecret = appSecret
        self.margin = margin
    }

    func token() async throws(DeliveryError) -> String {
        let now = ContinuousClock.now
        if let current, now < current.expires { return current.token }
        let response: AccessTokenResponse = try await client.post(
            "/v1.0/oauth2/accessToken", AccessTokenRequest(appKey: appKey, appSecret: appSecret.value)
        )
        // Refresh early, but never keep a token for less than a second (a tiny `expireIn` is a server quirk, not a loop).
        let lifetime = max(Duration.seconds(response.expireIn) - margin, .seconds(response.expireIn) / 2, .seconds(1))
        current = (response.accessToken, now + lifetime)
        return response.accessToken
    }

    /// Forgets the token after the API said it is invalid.
    func invalidate(_ token: String) {
        if current?.token == token { current = nil }
    }
}
