import Foundation
import Yams

/// Walks a composed YAML node tree strictly, collecting every problem with its file, line and column
/// instead of stopping at the first, so that one `gatehouse check` run shows them all.
final class ConfigReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    /// Every file other than YAML the config's rules were read from (keyword lists), with its
    /// bytes, in reading order: they are part of the config's revision.
    private(set) var ruleFiles: [(path: String, data: Data)] = []

    /// Where each secret written inline in this file starts, to be masked in ``ConfigSource``.
    private(set) var inlineSecrets: [Mark] = []

    /// Notes a secret's value written inline (not in a `_file`).
    func noteInlineSecret(_ node: Node) {
        if let mark = node.mark { inlineSecrets.append(mark) }
    }

    init(file: String) {
        self.file = file
    }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    func error(at mark: Mark?, _ message: String) {
        error(line: mark?.line ?? 1, column: mark?.column ?? 1, message)
    }

    func error(line: Int, column: Int, _ message: String) {
        diagnostics.append(Diagnostic(file: file, line: line, column: column, message: message))
    }

    func error(at node: Node?, _ message: String) {
        error(at: node?.mark, message)
    }

    /// Reads a file the rules come from (not a secret: secrets are never hashed into the
    /// revision), remembering its bytes for the revision; nil when it cannot be read.
    func readRuleFile(_ path: String) -> Data? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        ruleFiles.append((path, data))
        return data
    }

    /// A problem that does not stop the config from loading; `gatehouse check` and `run` print it.
    func warning(at node: Node?, _ message: String) {
        diagnostics.append(Diagnostic(file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, severity: .warning, message: message))
    }

    /// A mapping's entries by key, after reporting keys that are not in `allowed`
    /// (with a suggestion when one is close) and keys that are not plain strings.
    func fields(_ node: Node, _ what: String, allowed: [String]) -> Fields? {
        guard let mapping = node.mapping else {
            error(at: node, "\(what) must be a mapping (key: value), found \(describe(node))")
            return nil
        }
        var entries: [String: Fields.Entry] = [:]
        var unknownKeys = false
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                error(at: key, "keys in \(what) must be plain strings")
                unknownKeys = true
                continue
            }
            guard allowed.contains(name) else {
                error(at: key, "unknown key '\(name)' in \(what)\(suggestion(for: name, among: allowed))")
                unknownKeys = true
                continue
            }
            entries[name] = Fields.Entry(key: key, value: value)
        }
        return Fields(node: node, entries: entries, unknownKeys: unknownKeys)
    }

    /// A mapping whose keys are names the user chose (platforms, channels); in file order.
    func namedEntries(_ node: Node, _ what: String) -> [(name: String, key: Node, value: Node)] {
        guard let mapping = node.mapping else {
            error(at: node, "\(what) must be a mapping of names to definitions, found \(describe(node))")
            return []
        }
        var result: [(name: String, key: Node, value: Node)] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string, !name.isEmpty else {
                error(at: key, "names in \(what) must be non-empty strings")
                continue
            }
            result.append((name, key, value))
        }
        return result
    }

    func string(_ node: Node, _ what: String) -> String? {
        guard let scalar = node.scalar, node.tag != Tag(.null) || scalar.style != .plain else {
            error(at: node, "\(what) must be a string, found \(describe(node))")
            return nil
        }
        return scalar.string
    }

    func nonEmptyString(_ node: Node, _ what: String) -> String? {
        guard let value = string(node, what) else { return nil }
        guard !value.isEmpty else {
            error(at: node, "\(what) must not be empty")
            return nil
        }
        return value
    }

    func integer(_ node: Node, _ what: String) -> Int64? {
        guard let scalar = node.scalar, let value = Int64(scalar.string) else {
            error(at: node, "\(what) must be an integer, found \(describe(node))")
            return nil
        }
        return value
    }

    /// `true` or `false` (YAML 1.2's spelling; `yes`/`on` are not booleans here).
    func boolean(_ node: Node, _ what: String) -> Bool? {
        switch node.scalar?.string {
        case "true": return true
        case "false": return false
        default:
            error(at: node, "\(what) must be true or false, found \(describe(node))")
            return nil
        }
    }

    /// One of an enumeration's raw values.
    func oneOf<Value: RawRepresentable & CaseIterable>(_ node: Node, _ what: String, as type: Value.Type) -> Value?
    where Value.RawValue == String {
        guard let raw = string(node, what) else { return nil }
        if let value = Value(rawValue: raw) { return value }
        let allowed = Value.allCases.map(\.rawValue)
        error(at: node, "\(what) must be one of \(allowed.joined(separator: ", ")), found '\(raw)'\(suggestion(for: raw, among: allowed))")
        return nil
    }

    /// A string or a list of strings, each with its node (for locating later errors).
    func stringList(_ node: Node, _ what: String) -> [(String, Node)] {
        if node.scalar != nil {
            return string(node, what).map { [($0, node)] } ?? []
        }
        guard let sequence = node.sequence else {
            error(at: node, "\(what) must be a name or a list of names, found \(describe(node))")
            return []
        }
        return sequence.compactMap { item in string(item, "each entry of \(what)").map { ($0, item) } }
    }

    /// " (did you mean 'x'?)" when a known word is close to the unknown one.
    func suggestion(for word: String, among candidates: [String]) -> String {
        let best =
            candidates
            .map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
            .min { $0.1 < $1.1 }
        // Close, and not a complete replacement (a one-letter name is not "close" to every other).
        guard let (candidate, distance) = best, distance <= max(1, candidate.count / 3),
            distance < max(word.count, candidate.count)
        else { return "" }
        return " (did you mean '\(candidate)'?)"
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case .scalar(let scalar):
            node.tag == Tag(.null) && scalar.style == .plain ? "nothing" : "'\(scalar.string)'"
        }
    }
}

/// A mapping's entries that passed the allowed-keys check.
struct Fields {
    struct Entry {
        var key: Node
        var value: Node
    }

    var node: Node
    var entries: [String: Entry]
    /// Whether the mapping had keys that were reported as unknown.
    var unknownKeys = false

    subscript(_ key: String) -> Node? { entries[key]?.value }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
