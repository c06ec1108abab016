import Foundation
import GatehouseCore
import Yams

extension ConfigCompiler {
    static let commonPlatformKeys = ["type", "side"]
    static let dingtalkKeys = [
        "client_id", "client_secret", "client_secret_file", "robot_code", "receive", "api_url", "oapi_url", "login_url", "idle_timeout",
        "directory_ttl",
        "card_callback_url",
    ]
    static let telegramKeys = [
        "token", "token_file", "api_url", "receive", "poll_timeout", "rate_limits", "webhook_secret", "webhook_secret_file", "public_url",
    ]
    static let platformTypes = ["dingtalk", "telegram"]

    func compilePlatforms(_ node: Node) -> Declared<PlatformConfig> {
        var platforms = Declared<PlatformConfig>()
        for (name, key, value) in reader.namedEntries(node, "platforms") {
            let type = value.mapping?["type"]?.scalar?.string
            platforms.declare(name, type: Self.platformTypes.contains(type ?? "") ? type : nil, at: key, in: reader)
            if let platform = compilePlatform(name: name, value) {
                platforms.valid[name] = platform
            }
        }
        return platforms
    }

    private func compilePlatform(name: String, _ node: Node) -> PlatformConfig? {
        let what = "platform '\(name)'"
        // The type decides which keys are allowed, so read it before the strict pass.
        let typeNode = node.mapping?["type"]
        let type = typeNode?.scalar?.string
        let allowed: [String]
        switch type {
        case "dingtalk": allowed = Self.commonPlatformKeys + Self.dingtalkKeys
        case "telegram": allowed = Self.commonPlatformKeys + Self.telegramKeys
        default:
            if let typeNode {
                reader.error(
                    at: typeNode,
                    "\(what): type must be one of \(Self.platformTypes.joined(separator: ", ")), found '\(type ?? "")'\(reader.suggestion(for: type ?? "", among: Self.platformTypes))"
                )
            } else if node.mapping != nil {
                reader.error(at: node, "\(what) has no 'type' (dingtalk or telegram)")
            }
            allowed = Self.commonPlatformKeys + Self.dingtalkKeys + Self.telegramKeys
        }
        guard let fields = reader.fields(node, what, allowed: allowed) else { return nil }
        let side = required(fields, "side", in: what).flatMap { reader.oneOf($0, "\(what): side", as: Side.self) }
        let settings: PlatformConfig.Settings?
        switch type {
        case "dingtalk": settings = dingtalk(fields, what).map { .dingtalk($0) }
        case "telegram": settings = telegram(fields, what, name: name).map { .telegram($0) }
        default: settings = nil
        }
        guard let side, let settings else { return nil }
        return PlatformConfig(name: name, side: side, settings: settings)
    }

    private func dingtalk(_ fields: Fields, _ what: String) -> PlatformConfig.DingTalk? {
        let clientID = required(fields, "client_id", in: what).flatMap { reader.nonEmptyString($0, "\(what): client_id") }
        let secret = secret(fields, "client_secret", in: what)
        let robotCode = fields["robot_code"].flatMap { reader.nonEmptyString($0, "\(what): robot_code") } ?? clientID
        let receive = fields["receive"].map { reader.oneOf($0, "\(what): receive", as: PlatformConfig.DingTalk.Receive.self) } ?? .stream
        let apiURL = url(fields, "api_url", in: what, default: "https://api.dingtalk.com")
        let oapiURL = url(fields, "oapi_url", in: what, default: "https://oapi.dingtalk.com")
        let loginURL = url(fields, "login_url", in: what, default: "https://login.dingtalk.com")
        // The server pings each connection every few tens of seconds: a watchdog shorter than
        // that would replace healthy connections.
        var idleTimeout: Duration? = .seconds(90)
        if let node = fields["idle_timeout"] {
            idleTimeout = duration(node, "\(what): idle_timeout")
            if let value = idleTimeout, value < .seconds(30) || value > .seconds(600) {
                reader.error(
                    at: node,
                    "\(what): idle_timeout must be between 30s and 10m (shorter would replace connections between the server's pings)"
                )
                idleTimeout = nil
            }
            if receive == .http { reader.error(at: node, "\(what): idle_timeout only applies to receive: stream") }
        }
        // How long what the directory says of a person is kept; 0s asks nothing of it.
        var directoryTTL: Duration? = .seconds(3600)
        if let node = fields["directory_ttl"] {
            directoryTTL = duration(node, "\(what): directory_ttl")
            if let value = directoryTTL, value != .zero, value < .seconds(10) {
                reader.error(at: node, "\(what): directory_ttl must be 0s (no directory) or at least 10s")
                directoryTTL = nil
            }
        }
        // Card clicks by HTTP: the public address of this platform's /hooks/<platform>/cards,
        // registered with DingTalk at start (without it, clicks come over Stream).
        var cardCallbackURL: String?? = .some(nil)
        if fields["card_callback_url"] != nil {
            cardCallbackURL = url(fields, "card_callback_url", in: what, default: "").map { Optional($0) }
        }
        guard let clientID, let secret, let robotCode, let receive, let apiURL, let oapiURL, let loginURL, let idleTimeout,
            let directoryTTL, let cardCallbackURL
        else { return nil }
        var dingtalk = PlatformConfig.DingTalk(
            clientID: clientID,
            clientSecret: secret,
            robotCode: robotCode,
            receive: receive,
            apiURL: apiURL,
            oapiURL: oapiURL,
            idleTimeout: idleTimeout
        )
        dingtalk.directoryTTL = directoryTTL
        dingtalk.cardCallbackURL = cardCallbackURL
        dingtalk.loginURL = loginURL
        return dingtalk
    }

    private func telegram(_ fields: Fields, _ what: String, name: String) -> PlatformConfig.Telegram? {
        let token = secret(fields, "token", in: what)
        let apiURL = url(fields, "api_url", in: what, default: "https://api.telegram.org")
        let receive = fields["receive"].map { reader.oneOf($0, "\(what): receive", as: PlatformConfig.Telegram.Receive.self) } ?? .poll
        // Webhook mode: Telegram pushes to public_url (which must reach listen.http's
        // /hooks/<platform>, usually through a TLS proxy) with the secret in a header.
        var webhook: PlatformConfig.Telegram.Webhook?
        if receive == .webhook {
            let secret = secret(fields, "webhook_secret", in: what)
            if let secret = checkable(secret), let node = fields["webhook_secret"] ?? fields["webhook_secret_file"],
                !((1...256).contains(secret.value.count)
                    && secret.value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }))
            {
                reader.error(at: node, "\(what): webhook_secret must be 1–256 characters of A-Z, a-z, 0-9, _ and - (Telegram's secret_token rule)")
            }
            let publicURL = fields["public_url"] == nil ? nil : url(fields, "public_url", in: what, default: "")
            if fields["public_url"] == nil {
                reader.error(at: fields.node, "\(what) has receive: webhook but no 'public_url' (where Telegram reaches /hooks/\(name))")
            }
            if let secret, let publicURL { webhook = .init(publicURL: publicURL, secret: secret) }
        } else {
            for key in ["webhook_secret", "webhook_secret_file", "public_url"] {
                if let node = fields[key] { reader.error(at: node, "\(what): \(key) only applies to receive: webhook") }
            }
        }
        var pollTimeout: Duration? = .seconds(25)
        if let node = fields["poll_timeout"] {
            pollTimeout = duration(node, "\(what): poll_timeout")
            if let value = pollTimeout, value < .seconds(1) || value > .seconds(50) {
                reader.error(at: node, "\(what): poll_timeout must be between 1s and 50s")
            }
        }
        let limits = fields["rate_limits"].map { rateLimits($0, what) } ?? PlatformConfig.Telegram.RateLimits()
        guard let token, let apiURL, let receive, let pollTimeout, receive == .poll || webhook != nil else { return nil }
        return .init(token: token, apiURL: apiURL, receive: receive, pollTimeout: pollTimeout, rateLimits: limits, webhook: webhook)
    }

    /// `rate_limits: { chat: 1/s, group: 20/min, bot: 30/s }`; a key left out keeps Telegram's limit.
    private func rateLimits(_ node: Node, _ what: String) -> PlatformConfig.Telegram.RateLimits {
        var limits = PlatformConfig.Telegram.RateLimits()
        guard let fields = reader.fields(node, "\(what): rate_limits", allowed: ["chat", "group", "bot"]) else { return limits }
        func rate(_ key: String) -> Rate? {
            guard let node = fields[key], let text = reader.string(node, "\(what): rate_limits: \(key)") else { return nil }
            guard let rate = Rate(parsing: text) else {
                reader.error(at: node, "\(what): rate_limits: \(key) must be a rate like 1/s, 20/min or 1000/h, found '\(text)'")
                return nil
            }
            return rate
        }
        if let value = rate("chat") { limits.chat = value }
        if let value = rate("group") { limits.group = value }
        if let value = rate("bot") { limits.bot = value }
        return limits
    }

    func required(_ fields: Fields, _ key: String, in what: String) -> Node? {
        if let node = fields[key] { return node }
        reader.error(at: fields.node, "\(what) has no '\(key)'")
        return nil
    }

    /// A secret given inline as `key` or, as production configs should, read from `key_file`.
    /// What a secret file stands for in a dry run, which reads none.
    static let unreadSecret = Secret("(not read)")

    /// Whether a secret's content can be checked: not in a dry run, where it was not read.
    func checkable(_ secret: Secret?) -> Secret? {
        secret == nil || secret?.value == Self.unreadSecret.value && !readsSecrets ? nil : secret
    }

    func secret(_ fields: Fields, _ key: String, in what: String) -> Secret? {
        let fileKey = key + "_file"
        switch (fields[key], fields[fileKey]) {
        case (nil, nil):
            reader.error(at: fields.node, "\(what) has no '\(key)' or '\(fileKey)'")
            return nil
        case (.some, .some):
            reader.error(at: fields.entries[fileKey]?.key, "\(what): give either '\(key)' or '\(fileKey)', not both")
            return nil
        case (let inline?, nil):
            reader.noteInlineSecret(inline)
            return reader.nonEmptyString(inline, "\(what): \(key)").map(Secret.init)
        case (nil, let file?):
            guard let path = reader.nonEmptyString(file, "\(what): \(fileKey)") else { return nil }
            // A dry run decides without any secret: the file need not exist where it runs.
            guard readsSecrets else { return Self.unreadSecret }
            if path.contains("$CREDENTIALS_DIRECTORY") || path.contains("${CREDENTIALS_DIRECTORY}"),
                environment["CREDENTIALS_DIRECTORY"] == nil
            {
                reader.error(at: file, "\(what): \(fileKey) uses $CREDENTIALS_DIRECTORY, which is not set (systemd sets it with LoadCredential=)")
                return nil
            }
            let resolved = resolve(path)
            // The message names the path, never the content.
            guard let data = FileManager.default.contents(atPath: resolved),
                let text = String(data: data, encoding: .utf8)
            else {
                reader.error(at: file, "\(what): cannot read \(fileKey) '\(resolved)'")
                return nil
            }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else {
                reader.error(at: file, "\(what): \(fileKey) '\(resolved)' is empty")
                return nil
            }
            return Secret(value)
        }
    }

    /// An http(s) base URL, without a trailing slash.
    func url(_ fields: Fields, _ key: String, in what: String, default fallback: String) -> String? {
        guard let node = fields[key] else { return fallback }
        guard let text = reader.nonEmptyString(node, "\(what): \(key)") else { return nil }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", components.host?.isEmpty == false
        else {
            reader.error(at: node, "\(what): \(key) must be an http:// or https:// URL, found '\(text)'")
            return nil
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// `250ms`, `30s`, `5m`, `2h`, `400d`.
    func duration(_ node: Node, _ what: String) -> Duration? {
        guard let text = reader.string(node, what) else { return nil }
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, milliseconds) in units where text.hasSuffix(suffix) {
            if let count = Int64(text.dropLast(suffix.count)), count >= 0 {
                let (total, overflow) = count.multipliedReportingOverflow(by: milliseconds)
                if !overflow { return .milliseconds(total) }
                reader.error(at: node, "\(what) is too long, found '\(text)'")
                return nil
            }
        }
        reader.error(at: node, "\(what) must be a duration like 500ms, 30s, 5m, 2h or 400d, found '\(text)'")
        return nil
    }
}
