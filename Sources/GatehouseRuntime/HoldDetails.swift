import GatehouseCore
import GatehouseLedger

/// What a reviewer must see of a held job beyond its text: every link target it would carry
/// (a text link's target is not in its text) and its attachments.
public enum HoldDetails {
    /// Every link a client would show as one: the targets of text links, and the links in the
    /// text as the link check finds them.
    public static func links(of job: OutboxJob) -> [String] {
        var links = job.payload.spans.compactMap { span -> String? in
            guard case .link(let url) = span.style else { return nil }
            return url
        }
        if let detector = try? LinkDetector(allow: [], deny: []) {
            let utf8 = Array(job.text.utf8)
            links += detector.matches(in: job.text).map { String(decoding: utf8[$0], as: UTF8.self) }
        }
        var seen = Set<String>()
        return links.filter { seen.insert($0).inserted }
    }
}
