import GatehouseCore
import Testing

@Suite struct SecretTests {
    @Test func matchesOnlyTheWholeSecret() {
        let secret = Secret("hook-Secret_1")
        #expect(secret.matches("hook-Secret_1"))
        #expect(!secret.matches("hook-secret_1"))
        #expect(!secret.matches("hook-Secret_"))
        #expect(!secret.matches("hook-Secret_12"))
        #expect(!secret.matches(""))
        // An empty secret matches nothing, not even the empty string.
        #expect(!Secret("").matches(""))
    }

    @Test func neverPrintsItself() {
        let secret = Secret("hook-Secret_1")
        #expect("\(secret)" == "<redacted>" && String(reflecting: secret) == "<redacted>")
    }
}
