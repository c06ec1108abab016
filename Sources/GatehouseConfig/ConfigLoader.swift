import Crypto
import Foundation
import GatehouseCore
import Yams

/// Reads a config file, validates all of it, and compiles it into a ``GatewayConfig``.
///
/// Fails closed: any error means no config, with every problem reported as a ``Diagnostic``.
public struct ConfigLoader: Sendable {
    /// The process environment, for `$CREDENTIALS_DIRECTORY` and `$STATE_DIRECTORY`.
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Loads the config at `path`.
    public func load(file path: String) throws(ConfigError) -> GatewayConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(diagnostics: [Diagnostic(file: path, line: 1, column: 1, message: "cannot read the config file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(diagnostics: [Diagnostic(file: path, line: 1, column: 1, message: "the config file is not UTF-8")])
        }
        return try load(yaml: text, file: path)
    }

    /// Loads a config from text; `file` names it in diagnostics and anchors relative paths.
    public func load(yaml text: String, file: String) throws(ConfigError) -> GatewayConfig {
        let reader = ConfigReader(file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(diagnostics: [Diagnostic(file: file, line: 1, column: 1, message: "the config file is empty")])
            }
            root = node
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(diagnostics: [Self.diagnostic(for: error, file: file)])
        }
        let compiler = ConfigCompiler(reader: reader, environment: environment, baseDirectory: Self.directory(of: file))
        let config = compiler.compile(root)
        guard let config, !reader.hasErrors else {
            throw ConfigError(diagnostics: reader.diagnostics)
        }
        return GatewayConfig(
            file: file,
            revision: SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined(),
            state: config.state,
            listen: config.listen,
            platforms: config.platforms,
            channels: config.channels,
            routes: config.routes
        )
    }

    static func directory(of file: String) -> String {
        let url = URL(fileURLWithPath: file)
        return url.deletingLastPathComponent().path
    }

    /// A YAML syntax error as a located diagnostic.
    static func diagnostic(for error: any Error, file: String) -> Diagnostic {
        guard let yaml = error as? YamlError else {
            return Diagnostic(file: file, line: 1, column: 1, message: "cannot parse YAML: \(error)")
        }
        switch yaml {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return Diagnostic(file: file, line: mark.line, column: mark.column, message: "YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return Diagnostic(
                file: file, line: context.mark.line, column: context.mark.column,
                message: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in a mapping"
            )
        case .reader(let problem, _, _, _):
            return Diagnostic(file: file, line: 1, column: 1, message: "YAML: \(problem)")
        default:
            return Diagnostic(file: file, line: 1, column: 1, message: "cannot parse YAML: \(yaml)")
        }
    }
}
