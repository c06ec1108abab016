/// `api_token`: credentials of the services Gatehouse and its users live next to.
///
/// - Telegram bot token (Bot API docs): bot id of 8–10 digits, `:`, 35 characters of
///   `A-Z a-z 0-9 _ -`. The id may follow `bot`, as in API and file URLs (`/bot123…:AA…/getMe`).
/// - DingTalk robot signing secret: `SEC` and 64 lowercase hex digits.
/// - AWS access key id: `AKIA ASIA AGPA AIDA AROA ANPA ANVA AIPA` and 16 of `A-Z 0-9`.
/// - GitHub token: `ghp_ gho_ ghu_ ghs_ ghr_` and 36 letters or digits; fine-grained
///   `github_pat_` and 82 of letters, digits and `_`.
///
/// Boundaries, so that a longer run of token characters — which contains something token-shaped
/// only by chance — is no finding: directly before and after a `SEC…` secret or an AWS key id, no
/// ASCII letter or digit; around a GitHub token, no letter, digit or `_`; before a Telegram bot id
/// and after its secret, no letter, digit, `_` or `-` — except the `bot` of a Bot API URL. CJK text,
/// punctuation, `=`, `/` and quotes are boundaries.
///
/// Not included: DingTalk webhook `access_token`s and other bare 32/64-hex secrets — they are
/// indistinguishable from hashes, which chat is full of.
public struct APITokenDetector: Detector {
    public var name: String { "api_token" }

    public init() {}

    public func scan(_ text: UnsafeBufferPointer<UInt8>, into matches: inout [Range<Int>]) {
        // Every token is a run of at least 20 bytes of letters, digits, '_', '-' and ':' (the
        // shortest, an AWS key id, has 20); only such runs are looked into, at the byte each kind is
        // anchored on: ':' (Telegram), 'S' (SEC…), 'A' (AWS), '_' (gh?_, github_pat_). A match never
        // starts before the previous one ends.
        var i = 0
        var floor = 0
        while let run = ByteScan.nextRun(text, from: i, minimumLength: 20, where: Self.isTokenByte) {
            var j = run.lowerBound
            while j < run.upperBound {
                let match: Range<Int>? =
                    switch text[j] {
                    case UInt8(ascii: ":"): Self.telegram(text, colon: j)
                    case UInt8(ascii: "S"): Self.dingTalk(text, at: j)
                    case UInt8(ascii: "A"): Self.aws(text, at: j)
                    case UInt8(ascii: "_"): Self.gitHub(text, underscore: j)
                    default: nil
                    }
                if let match, match.lowerBound >= floor {
                    matches.append(match)
                    floor = match.upperBound
                    j = match.upperBound
                } else {
                    j += 1
                }
            }
            i = max(j, run.upperBound)
        }
    }

    @inline(__always)
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        isTelegramSecret(byte) || byte == UInt8(ascii: ":")
    }

    @inline(__always)
    private static func isWord(_ byte: UInt8) -> Bool {
        ByteScan.isAlphanumeric(byte) || byte == UInt8(ascii: "_")
    }

    @inline(__always)
    private static func isTelegramSecret(_ byte: UInt8) -> Bool {
        isWord(byte) || byte == UInt8(ascii: "-")
    }

    /// `<8–10 digits>:<35 of [A-Za-z0-9_-]>` around the colon at `colon`.
    @inline(__always)
    private static func telegram(_ text: UnsafeBufferPointer<UInt8>, colon: Int) -> Range<Int>? {
        var start = colon
        while start > 0, ByteScan.isDigit(text[start - 1]), colon - start <= 10 { start -= 1 }
        guard (8...10).contains(colon - start) else { return nil }
        let before = ByteScan.byte(text, at: start - 1)
        guard !isTelegramSecret(before) || ByteScan.hasPrefix(text, at: start - 3, "bot") else { return nil }
        let end = colon + 36
        guard end <= text.count, !isTelegramSecret(ByteScan.byte(text, at: end)) else { return nil }
        for k in (colon + 1)..<end where !isTelegramSecret(text[k]) { return nil }
        return start..<end
    }

    /// `SEC` and 64 lowercase hex digits at `start`.
    @inline(__always)
    private static func dingTalk(_ text: UnsafeBufferPointer<UInt8>, at start: Int) -> Range<Int>? {
        let end = start + 67
        guard end <= text.count, ByteScan.hasPrefix(text, at: start, "SEC"),
            !ByteScan.isAlphanumeric(text, at: start - 1), !ByteScan.isAlphanumeric(text, at: end)
        else { return nil }
        for k in (start + 3)..<end where !ByteScan.isLowerHex(text[k]) { return nil }
        return start..<end
    }

    /// An AWS access key id at `start`.
    @inline(__always)
    private static func aws(_ text: UnsafeBufferPointer<UInt8>, at start: Int) -> Range<Int>? {
        let end = start + 20
        guard end <= text.count, !ByteScan.isAlphanumeric(text, at: start - 1), !ByteScan.isAlphanumeric(text, at: end)
        else { return nil }
        // The four-letter prefix names the kind of principal; all of them end in "A".
        let (b, c, d) = (text[start + 1], text[start + 2], text[start + 3])
        let known: Bool =
            switch (b, c) {
            case (UInt8(ascii: "K"), UInt8(ascii: "I")), (UInt8(ascii: "S"), UInt8(ascii: "I")),
                (UInt8(ascii: "G"), UInt8(ascii: "P")), (UInt8(ascii: "I"), UInt8(ascii: "D")),
                (UInt8(ascii: "R"), UInt8(ascii: "O")), (UInt8(ascii: "N"), UInt8(ascii: "P")),
                (UInt8(ascii: "N"), UInt8(ascii: "V")), (UInt8(ascii: "I"), UInt8(ascii: "P")):
                d == UInt8(ascii: "A")
            default: false
            }
        guard known else { return nil }
        for k in (start + 4)..<end where !(ByteScan.isUpper(text[k]) || ByteScan.isDigit(text[k])) { return nil }
        return start..<end
    }

    /// A GitHub token whose first underscore is at `underscore`.
    @inline(__always)
    private static func gitHub(_ text: UnsafeBufferPointer<UInt8>, underscore: Int) -> Range<Int>? {
        if underscore >= 3, text[underscore - 3] == UInt8(ascii: "g"), text[underscore - 2] == UInt8(ascii: "h") {
            switch text[underscore - 1] {
            case UInt8(ascii: "p"), UInt8(ascii: "o"), UInt8(ascii: "u"), UInt8(ascii: "s"), UInt8(ascii: "r"):
                let start = underscore - 3
                let end = underscore + 37
                guard end <= text.count, !isWord(ByteScan.byte(text, at: start - 1)),
                    !isWord(ByteScan.byte(text, at: end))
                else { return nil }
                for k in (underscore + 1)..<end where !ByteScan.isAlphanumeric(text[k]) { return nil }
                return start..<end
            default:
                return nil
            }
        }
        guard ByteScan.hasPrefix(text, at: underscore - 6, "github_pat_") else { return nil }
        let start = underscore - 6
        let end = start + 11 + 82
        guard end <= text.count, !isWord(ByteScan.byte(text, at: start - 1)), !isWord(ByteScan.byte(text, at: end))
        else { return nil }
        for k in (start + 11)..<end where !isWord(text[k]) { return nil }
        return start..<end
    }
}
