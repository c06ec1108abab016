import Foundation
import GatehouseCore
import Testing

/// A reviewed output under Tests/DingTalkAdapterTests/Golden, read from the source tree.
/// Set GATEHOUSE_UPDATE_GOLDEN=1 to rewrite them after a deliberate change, then review the diff.
struct GoldenFile {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    var name: String

    /// Expects `output` to be the file's content, byte for byte.
    func expect(_ output: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = Self.directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["GATEHOUSE_UPDATE_GOLDEN"] == "1" {
            try output.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(output == (try String(contentsOf: url, encoding: .utf8)), "golden file \(name)", sourceLocation: sourceLocation)
    }

    /// A rich text as a reviewer reads it: each span with the text it covers.
    static func json(_ body: RichText) -> [String: Any] {
        let scalars = Array(body.text.unicodeScalars)
        guard !body.spans.isEmpty else { return ["text": body.text] }
        return [
            "text": body.text,
            "spans": body.spans.map { span -> [String: Any] in
                var entry: [String: Any] = [
                    "offset": span.offset, "length": span.length, "style": span.style.name,
                    "covers": String(String.UnicodeScalarView(scalars[span.offset..<min(span.end, scalars.count)])),
                ]
                switch span.style {
                case .link(let url): entry["url"] = url
                case .pre(let language?): entry["language"] = language
                default: break
                }
                return entry
            },
        ]
    }

    /// Pretty JSON with sorted keys, ending in a newline, as golden files are kept.
    static func encode(_ object: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
