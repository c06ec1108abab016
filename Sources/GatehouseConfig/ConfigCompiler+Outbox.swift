import Yams

extension ConfigCompiler {
    static let outboxKeys = ["retry_min", "retry_max", "max_age", "max_active"]

    /// `outbox: { retry_min, retry_max, max_age, max_active }`; every key has a default.
    func compileOutbox(_ node: Node) -> GatewayConfig.Outbox {
        var outbox = GatewayConfig.Outbox()
        guard let fields = reader.fields(node, "outbox", allowed: Self.outboxKeys) else { return outbox }
        func positive(_ key: String, _ minimum: Duration, _ what: String) -> Duration? {
            guard let node = fields[key], let value = duration(node, "outbox: \(key)") else { return nil }
            guard value >= minimum else {
                reader.error(at: node, "outbox: \(key) must be at least \(minimum.formattedForConfig) (\(what))")
                return nil
            }
            return value
        }
        if let value = positive("retry_min", .milliseconds(100), "the first retry's delay") { outbox.retryMinimum = value }
        if let value = positive("retry_max", .seconds(1), "the longest delay between retries") { outbox.retryMaximum = value }
        if let value = positive("max_age", .seconds(60), "how long a delivery is retried") { outbox.maxAge = value }
        if let node = fields["retry_max"], outbox.retryMaximum < outbox.retryMinimum {
            reader.error(at: node, "outbox: retry_max must not be shorter than retry_min")
        }
        if let node = fields["max_active"], let value = reader.integer(node, "outbox: max_active") {
            if value < 1 { reader.error(at: node, "outbox: max_active must be at least 1") } else { outbox.maxActive = Int(value) }
        }
        return outbox
    }
}
