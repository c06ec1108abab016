import Foundation
import GatehouseCore
import Yams

/// Turns a composed YAML tree into the snapshot's parts, section by section, reporting into a reader.
struct ConfigCompiler {
    let reader: ConfigReader
    let environment: [String: String]
    /// The including file's directory: relative paths in the file are relative to it.
    let baseDirectory: String
    /// False for a dry run: secret files are named but not read.
    let readsSecrets: Bool

    init(file: ConfigFile, environment: [String: String], readsSecrets: Bool = true) {
        self.reader = file.reader
        self.environment = environment
        self.readsSecrets = readsSecrets
        self.baseDirectory = file.directory
    }

    /// The ledger directory: `state:` (when it names a folder), else `$STATE_DIRECTORY`, else ./state.
    func state(_ top: Fields) -> String {
        top["state"].flatMap { node in
            node.mapping != nil || PostgresLocation.isURL(node.scalar?.string ?? "") ? nil : reader.nonEmptyString(node, "state")
        }
        .map(resolve)
            ?? environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init)
            ?? "./state"
    }

    /// The ledger on PostgreSQL: `state: postgres://…`, or `state: { url, password_file, lease }`.
    /// A password is never written in the URL (secrets live in files).
    func database(_ top: Fields) -> GatewayConfig.Database? {
        guard let node = top["state"] else { return nil }
        let urlNode: Node
        var database: GatewayConfig.Database
        var password: Secret?
        if node.mapping != nil {
            guard let fields = reader.fields(node, "state", allowed: ["url", "password", "password_file", "lease"]),
                let url = required(fields, "url", in: "state")
            else { return nil }
            urlNode = url
            guard let location = postgresLocation(url) else { return nil }
            database = GatewayConfig.Database(location: location)
            if fields["password"] != nil || fields["password_file"] != nil { password = secret(fields, "password", in: "state") }
            if let lease = fields["lease"], let value = duration(lease, "state.lease") {
                if value < .seconds(2) || value > .seconds(60) {
                    reader.error(at: lease, "state.lease must be between 2s and 60s (a standby takes over once it runs out)")
                } else {
                    database.lease = value
                }
            }
        } else {
            guard let text = node.scalar?.string, PostgresLocation.isURL(text), let location = postgresLocation(node) else { return nil }
            urlNode = node
            database = GatewayConfig.Database(location: location)
        }
        if database.location.password != nil {
            reader.error(at: urlNode, "state: the URL holds a password; write it to a file and name it in state.password_file")
            return nil
        }
        database.location.password = checkable(password)?.value
        if let caFile = database.location.caFile { database.location.caFile = resolve(caFile) }
        return database
    }

    private func postgresLocation(_ node: Node) -> PostgresLocation? {
        guard let text = reader.nonEmptyString(node, "state.url") else { return nil }
        do {
            return try PostgresLocation(url: text)
        } catch {
            reader.error(at: node, "state: \(error)")
            return nil
        }
    }

    /// A path from the file, with `$CREDENTIALS_DIRECTORY` expanded, relative to the file's directory.
    func resolve(_ path: String) -> String {
        let expanded = expand(path)
        return expanded.hasPrefix("/") ? expanded : URL(fileURLWithPath: baseDirectory).appendingPathComponent(expanded).standardized.path
    }

    func expand(_ path: String) -> String {
        var result = path
        for name in ["CREDENTIALS_DIRECTORY", "STATE_DIRECTORY", "RUNTIME_DIRECTORY", "CONFIGURATION_DIRECTORY"] {
            guard let value = environment[name] else { continue }
            result = result.replacingOccurrences(of: "${\(name)}", with: value)
                .replacingOccurrences(of: "$\(name)", with: value)
        }
        return result
    }

    func compileListen(_ node: Node) -> GatewayConfig.Listen {
        guard let fields = reader.fields(node, "listen", allowed: ["http", "admin", "console", "limits"]) else { return .init() }
        var listen = GatewayConfig.Listen()
        if let http = fields["http"], let value = reader.nonEmptyString(http, "listen.http") {
            if HostPort(value) == nil {
                reader.error(at: http, "listen.http must be HOST:PORT (127.0.0.1:8080, [::1]:8080), found '\(value)'")
            } else {
                listen.http = value
            }
        }
        if let admin = fields["admin"], let value = reader.nonEmptyString(admin, "listen.admin") {
            let path = resolve(value)
            // sun_path holds 108 bytes with its NUL.
            if path.utf8.count > 107 {
                reader.error(at: admin, "listen.admin: the socket path '\(path)' is longer than a Unix socket allows (107 bytes)")
            } else {
                listen.admin = path
            }
        }
        if let console = fields["console"], let value = reader.nonEmptyString(console, "listen.console") {
            if HostPort(value) == nil {
                reader.error(at: console, "listen.console must be HOST:PORT (127.0.0.1:8443, [::1]:8443), found '\(value)'")
            } else if value == listen.http {
                reader.error(at: console, "listen.console must differ from listen.http: the console never shares the listener of /hooks")
            } else {
                listen.console = value
            }
        }
        if let node = fields["limits"] { listen.limits = compilePushLimits(node) }
        return listen
    }

    /// `listen.limits: { rate: 100/s, concurrent: 64, body_timeout: 10s, idle_timeout: 60s, max_body: 1MB, summary_every: 60s }`.
    func compilePushLimits(_ node: Node) -> GatewayConfig.PushLimits {
        var limits = GatewayConfig.PushLimits()
        let keys = ["rate", "concurrent", "body_timeout", "idle_timeout", "max_body", "summary_every"]
        guard let fields = reader.fields(node, "listen.limits", allowed: keys) else { return limits }
        if let node = fields["rate"], let text = reader.nonEmptyString(node, "listen.limits: rate") {
            if let rate = Rate(parsing: text) {
                limits.rate = rate
            } else {
                reader.error(at: node, "listen.limits: rate must be like 100/s, 600/min or 10000/h, found '\(text)'")
            }
        }
        if let node = fields["concurrent"], let value = reader.integer(node, "listen.limits: concurrent") {
            let count = Int(clamping: value)
            if count >= 1 { limits.concurrent = count } else { reader.error(at: node, "listen.limits: concurrent must be at least 1") }
        }
        func positive(_ key: String) -> Duration? {
            guard let node = fields[key], let value = duration(node, "listen.limits: \(key)") else { return nil }
            guard value > .zero else {
                reader.error(at: node, "listen.limits: \(key) must be longer than 0")
                return nil
            }
            return value
        }
        if let value = positive("body_timeout") { limits.bodyTimeout = value }
        if let value = positive("idle_timeout") { limits.idleTimeout = value }
        if let value = positive("summary_every") { limits.summaryEvery = value }
        if let node = fields["max_body"], let bytes = byteSize(node, "listen.limits: max_body") {
            if bytes >= 1024 { limits.maxBodyBytes = bytes } else { reader.error(at: node, "listen.limits: max_body must be at least 1KB") }
        }
        return limits
    }
}

/// The names a section declares, and the definitions among them that are valid.
struct Declared<Value> {
    /// Every declared name, with a type word when one could be read (`dingtalk`), valid or not.
    var names: [String: String?] = [:]
    var valid: [String: Value] = [:]
    /// Where each name is defined (`FILE:LINE:COL`), to point at the first of two definitions.
    var locations: [String: String] = [:]
    /// The key node of each name, to point at a second definition.
    var keys: [String: Node] = [:]
    /// False when the section itself could not be read: then no name can be called unknown.
    var complete = true

    func isDeclared(_ name: String) -> Bool { names[name] != nil }

    /// Records a name as declared at `key` in `reader`'s file.
    mutating func declare(_ name: String, type: String? = nil, at key: Node, in reader: ConfigReader) {
        names[name] = .some(type)
        keys[name] = key
        locations[name] = "\(reader.file):\(key.mark?.line ?? 1):\(key.mark?.column ?? 1)"
    }

    /// Adds another file's declarations; a name defined twice is an error at the second definition.
    mutating func merge(_ other: Declared, kind: String, reader: ConfigReader) {
        for (name, type) in other.names.sorted(by: { $0.key < $1.key }) {
            if let first = locations[name] {
                reader.error(at: other.keys[name], "\(kind) '\(name)' is already defined at \(first)")
                continue
            }
            keys[name] = other.keys[name]
            names[name] = .some(type)
            locations[name] = other.locations[name]
            if let value = other.valid[name] { valid[name] = value }
        }
        complete = complete && other.complete
    }
}

/// `host:port` as written in `listen.http`.
public struct HostPort: Sendable, Hashable {
    public var host: String
    public var port: Int

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }
}
