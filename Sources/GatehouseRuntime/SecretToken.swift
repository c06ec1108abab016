import Crypto
import Foundation

/// The random tokens the console hands out (sessions, CSRF, sign-in states, break-glass links),
/// and the digest under which they are kept: a memory dump holds no usable token.
public enum SecretToken {
    /// 32 random bytes, base64url without padding (a valid cookie value and URL query value).
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The token's SHA-256, in hex: what is stored and looked up.
    public static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
