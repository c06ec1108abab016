import GatehouseCore
import Yams

extension ConfigCompiler {
    static let auditKeys = [
        "origin", "signing_key_file", "checkpoint_every", "checkpoint_records", "keep_content", "record_unrouted", "summary_every",
    ]

    /// `audit: { origin, signing_key_file, checkpoint_every, checkpoint_records, keep_content }`.
    func compileAudit(_ node: Node) -> GatewayConfig.Audit? {
        guard let fields = reader.fields(node, "audit", allowed: Self.auditKeys) else { return nil }
        let origin = required(fields, "origin", in: "audit").flatMap { reader.nonEmptyString($0, "audit: origin") }
        if let origin, let node = fields["origin"], origin.contains(where: { $0.isWhitespace || $0 == "+" }) {
            reader.error(at: node, "audit: origin must not contain spaces or '+' (it names the signing key too)")
        }
        guard required(fields, "signing_key_file", in: "audit") != nil else { return nil }
        // Only the file form: a signing key written inline in a config would end up in backups and diffs.
        let key = secret(fields, "signing_key", in: "audit")
        if let key = checkable(key), !key.value.hasPrefix("PRIVATE+KEY+"), let node = fields["signing_key_file"] {
            reader.error(at: node, "audit: signing_key_file does not hold a note signing key (PRIVATE+KEY+…); create one with gatehouse audit keygen")
        }
        var every: Duration? = .seconds(60)
        if let node = fields["checkpoint_every"] {
            every = duration(node, "audit: checkpoint_every")
            if let value = every, value < .seconds(1) { reader.error(at: node, "audit: checkpoint_every must be at least 1s") }
        }
        var records: Int? = 1000
        if let node = fields["checkpoint_records"] {
            records = reader.integer(node, "audit: checkpoint_records").map(Int.init)
            if let value = records, value < 1 { reader.error(at: node, "audit: checkpoint_records must be at least 1") }
        }
        // Without the key, bodies are kept for ever: the safe side for a record keeper is to keep,
        // and a retention period is a decision the operator writes down.
        var keep: Duration?? = .some(nil)
        if let node = fields["keep_content"] {
            keep = duration(node, "audit: keep_content").map { .some($0) }
            if case let value?? = keep, value < .seconds(1) { reader.error(at: node, "audit: keep_content must be at least 1s") }
        }
        var recordUnrouted = false
        if let node = fields["record_unrouted"], let value = reader.boolean(node, "audit: record_unrouted") { recordUnrouted = value }
        var summaryEvery: Duration? = .seconds(60)
        if let node = fields["summary_every"] {
            summaryEvery = duration(node, "audit: summary_every")
            if let value = summaryEvery, value < .seconds(1) { reader.error(at: node, "audit: summary_every must be at least 1s") }
        }
        guard let origin, let key, let every, let records, let keep, let summaryEvery else { return nil }
        var audit = GatewayConfig.Audit(origin: origin, signingKey: key, checkpointEvery: every, checkpointRecords: records, keepContent: keep)
        audit.recordUnrouted = recordUnrouted
        audit.summaryEvery = summaryEvery
        return audit
    }
}
