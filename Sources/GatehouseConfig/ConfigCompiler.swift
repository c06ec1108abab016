import Foundation
import GatehouseCore
import Yams

/// Turns a composed YAML tree into the snapshot's parts, section by section, reporting into a reader.
struct ConfigCompiler {
    let reader: ConfigReader
    let environment: [String: String]
    /// The including file's directory: relative paths in the file are relative to it.
    let baseDirectory: String

    struct Parts {
        var state: String
        var listen: GatewayConfig.Listen
        var platforms: [String: PlatformConfig]
        var channels: [String: Channel]
        var routes: [Route]
    }

    static let topLevelKeys = ["state", "listen", "platforms", "channels", "routes"]

    func compile(_ root: Node) -> Parts? {
        guard let top = reader.fields(root, "the config", allowed: Self.topLevelKeys) else { return nil }
        let state = top["state"].flatMap { reader.nonEmptyString($0, "state") }.map(resolve)
            ?? environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init)
            ?? "./state"
        let listen = top["listen"].map(compileListen) ?? GatewayConfig.Listen()
        // Names are collected before definitions are judged, so that one bad platform or channel is
        // reported once, not again by everything that refers to it.
        var platforms = Declared<PlatformConfig>()
        if let node = top["platforms"] {
            platforms = compilePlatforms(node)
        } else {
            reader.error(at: root, "the config has no 'platforms'")
        }
        // With an unreadable `channels:` section (a misspelled key, a wrong type) every channel name is
        // unknown; saying so for each route would bury the one real error.
        var channels = top["channels"].map { compileChannels($0, platforms: platforms) } ?? Declared()
        channels.complete = top["channels"]?.mapping != nil || (top["channels"] == nil && !top.unknownKeys)
        let routes = top["routes"].map { compileRoutes($0, channels: channels) } ?? []
        return Parts(state: state, listen: listen, platforms: platforms.valid, channels: channels.valid, routes: routes)
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

    private func compileListen(_ node: Node) -> GatewayConfig.Listen {
        guard let fields = reader.fields(node, "listen", allowed: ["http", "admin"]) else { return .init() }
        var listen = GatewayConfig.Listen()
        if let http = fields["http"], let value = reader.nonEmptyString(http, "listen.http") {
            if HostPort(value) == nil {
                reader.error(at: http, "listen.http must be HOST:PORT (127.0.0.1:8080, [::1]:8080), found '\(value)'")
            } else {
                listen.http = value
            }
        }
        if let admin = fields["admin"], reader.nonEmptyString(admin, "listen.admin") != nil {
            // Accepting a key that does nothing would leave an operator believing the socket exists.
            reader.error(at: admin, "listen.admin: the admin socket is not supported yet; remove the key")
        }
        return listen
    }
}

/// The names a section declares, and the definitions among them that are valid.
struct Declared<Value> {
    /// Every declared name, with a type word when one could be read (`dingtalk`), valid or not.
    var names: [String: String?] = [:]
    var valid: [String: Value] = [:]
    /// False when the section itself could not be read: then no name can be called unknown.
    var complete = true

    func isDeclared(_ name: String) -> Bool { names[name] != nil }
}

/// `host:port` as written in `listen.http`.
public struct HostPort: Sendable, Hashable {
    public var host: String
    public var port: Int

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }
}
