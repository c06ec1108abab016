import GatehouseCore
import Testing

@Suite struct APITokenDetectorTests {
    let detector = APITokenDetector()

    /// `count` characters cycling through `alphabet`, from `offset`.
    static func run(_ count: Int, _ alphabet: String, offset: Int = 0) -> String {
        let characters = Array(alphabet)
        return String((0..<count).map { characters[($0 * 7 + offset) % characters.count] })
    }

    static let base62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    static let telegramSecret = "AA" + run(33, base62 + "_-")
    static let telegram = "123456789:" + telegramSecret
    static let dingTalk = "SEC" + run(64, "0123456789abcdef")
    static let aws = "AKIA" + run(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    static let gitHub = "ghp_" + run(36, base62)
    static let gitHubFineGrained = "github_pat_" + run(22, base62) + "_" + run(59, base62, offset: 3)

    static let awsKey: String = String(aws.dropFirst(4))
    static let gitHubKey: String = String(gitHub.dropFirst(4))

    static let tokens: [String] = {
        var tokens: [String] = [telegram, "12345678:" + telegramSecret, "1234567890:" + telegramSecret]
        tokens += [dingTalk, gitHubFineGrained]
        tokens += ["AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"].map { $0 + awsKey }
        tokens.append("ASIA" + run(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
        tokens += ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"].map { $0 + gitHubKey }
        return tokens
    }()

    @Test(arguments: tokens) func aTokenIsAFinding(token: String) {
        #expect(detector.found(in: token) == [token])
        let text = "令牌：\(token)，别外传"
        #expect(detector.matches(in: text) == [9..<(9 + token.utf8.count)])
        #expect(detector.found(in: "KEY=\"\(token)\"") == [token])
    }

    @Test func aBotTokenInsideAnAPIURLIsFound() {
        let url = "https://api.telegram.org/bot\(Self.telegram)/getFile?file_id=1"
        #expect(detector.found(in: url) == [Self.telegram])
        let file = "https://api.telegram.org/file/bot\(Self.telegram)/photos/file_0.jpg"
        #expect(detector.found(in: file) == [Self.telegram])
    }

    static let nearMisses: [String] = {
        let lowerHex = "0123456789abcdef"
        let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        var texts: [String] = []
        // Telegram: bot ids of 7 and 11 digits, secrets of 34 and 36, a longer token, a foreign character.
        texts.append("1234567:" + telegramSecret)
        texts.append("12345678901:" + telegramSecret)
        texts.append("123456789:" + telegramSecret.dropLast())
        texts.append("123456789:" + telegramSecret + "x")
        texts.append("x123456789:" + telegramSecret)
        texts.append("123456789:" + telegramSecret.dropLast() + "!")
        // DingTalk: 63 and 65 hex digits, uppercase hex, a longer token.
        texts.append("SEC" + run(63, lowerHex))
        texts.append("SEC" + run(65, lowerHex))
        texts.append("SEC" + run(64, "0123456789ABCDEF"))
        texts.append("XSEC" + run(64, lowerHex))
        // AWS: 19 and 21 characters, lowercase, a longer token, prefixes that are not AWS's.
        texts.append("AKIA" + run(15, upper))
        texts.append("AKIA" + run(17, upper))
        texts.append("AKIA" + run(16, "abcdefghijklmnopqrstuvwxyz"))
        texts.append("XAKIA" + run(16, upper))
        texts.append("ABCA" + run(16, upper))
        texts.append("AKIB" + run(16, upper))
        // GitHub: an unknown kind, 35 and 37 characters, inside longer identifiers.
        texts.append("ghx_" + run(36, base62))
        texts.append("ghp_" + run(35, base62))
        texts.append("ghp_" + run(37, base62))
        texts.append("xghp_" + run(36, base62))
        texts.append("_ghp_" + run(36, base62))
        texts.append("ghp_" + run(36, base62) + "_x")
        texts.append("github_pat_" + run(81, base62))
        texts.append("my_github_pat_" + run(82, base62))
        return texts
    }()

    @Test(arguments: nearMisses) func nearMissesAreNoFindings(text: String) {
        #expect(detector.found(in: text).isEmpty)
    }

    @Test func severalTokensInOneMessageAreInOrder() {
        let text = "aws \(Self.aws) gh=\(Self.gitHub); bot \(Self.telegram) ding \(Self.dingTalk)."
        #expect(detector.found(in: text) == [Self.aws, Self.gitHub, Self.telegram, Self.dingTalk])
    }

    @Test func ordinaryProseHasNoTokens() {
        let text = "At 10:30 SEC filings: AKIA is a prefix, ghp_ too; see snake_case_names and 12345678:00."
        #expect(detector.found(in: text).isEmpty)
    }
}
