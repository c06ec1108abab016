import Foundation
import Yams

/// One file of a config (the main file or an `include:`d one): its text, its parsed top level,
/// and a reader that reports problems against its own path.
struct ConfigFile {
    let path: String
    let text: String
    let reader: ConfigReader
    let top: Fields
    /// The file's directory: relative paths written in it are relative to it.
    var directory: String { URL(fileURLWithPath: path).deletingLastPathComponent().path }
}

/// Reads the main file and, depth first, every file it includes, in order.
struct ConfigFiles {
    static let mainKeys = ["include", "state", "listen", "audit", "outbox", "desk", "review", "console", "platforms", "channels", "checks", "routes"]
    /// Included files add definitions; where state lives and what it listens on is the main file's to say.
    static let includedKeys = ["include", "platforms", "channels", "checks", "routes"]

    private(set) var files: [ConfigFile] = []
    /// Problems that belong to no file's reader (unreadable or unparsable files).
    private(set) var diagnostics: [Diagnostic] = []
    private var visited: Set<String> = []

    init(main path: String, text: String) {
        load(path: path, text: text, isMain: true)
    }

    private mutating func load(path: String, text: String, isMain: Bool) {
        visited.insert(URL(fileURLWithPath: path).standardized.path)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                if isMain { diagnostics.append(Diagnostic(file: path, line: 1, column: 1, message: "the config file is empty")) }
                return
            }
            root = node
        } catch {
            diagnostics.append(ConfigLoader.diagnostic(for: error, file: path))
            return
        }
        let reader = ConfigReader(file: path)
        let what = isMain ? "the config" : "an included file"
        guard let top = reader.fields(root, what, allowed: isMain ? Self.mainKeys : Self.includedKeys) else {
            files.append(ConfigFile(path: path, text: text, reader: reader, top: Fields(node: root, entries: [:])))
            return
        }
        let file = ConfigFile(path: path, text: text, reader: reader, top: top)
        files.append(file)
        guard let include = top["include"] else { return }
        for (pattern, node) in reader.stringList(include, "include") {
            let matches = Self.expand(pattern, relativeTo: file.directory)
            if matches.isEmpty && !pattern.contains("*") && !pattern.contains("?") {
                reader.error(at: node, "include: no file '\(pattern)'")
            }
            for match in matches {
                let canonical = URL(fileURLWithPath: match).standardized.path
                guard !visited.contains(canonical) else {
                    reader.error(at: node, "include: '\(match)' is included twice (or includes itself)")
                    continue
                }
                guard let data = FileManager.default.contents(atPath: match), let included = String(data: data, encoding: .utf8) else {
                    reader.error(at: node, "include: cannot read '\(match)'")
                    continue
                }
                load(path: match, text: included, isMain: false)
            }
        }
    }

    /// The files a pattern names, sorted: `routes.d/*.yaml` (wildcards in the last component only).
    static func expand(_ pattern: String, relativeTo directory: String) -> [String] {
        let absolute = pattern.hasPrefix("/") ? pattern : URL(fileURLWithPath: directory).appendingPathComponent(pattern).path
        let url = URL(fileURLWithPath: absolute)
        let name = url.lastPathComponent
        guard name.contains("*") || name.contains("?") else {
            return FileManager.default.fileExists(atPath: absolute) ? [absolute] : []
        }
        let folder = url.deletingLastPathComponent().path
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return entries.filter { !$0.hasPrefix(".") && wildcard(name, matches: $0) }.sorted().map { folder + "/" + $0 }
    }

    /// `*` matches any run of characters, `?` any one.
    static func wildcard(_ pattern: String, matches name: String) -> Bool {
        let p = Array(pattern)
        let n = Array(name)
        var (pi, ni, star, mark) = (0, 0, -1, 0)
        while ni < n.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == n[ni]) {
                pi += 1
                ni += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi
                mark = ni
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ni = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
