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
    /// Whether secret files (`*_file`) are read. A dry run (`explain`) needs no secret: it then
    /// only checks that each secret is named, and holds a placeholder in its place.
    public var readsSecrets: Bool

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, readsSecrets: Bool = true) {
        self.environment = environment
        self.readsSecrets = readsSecrets
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

    /// Loads a config from text; `file` names it in diagnostics and anchors relative paths
    /// (included files are read from disk).
    public func load(yaml text: String, file: String) throws(ConfigError) -> GatewayConfig {
        let files = ConfigFiles(main: file, text: text)
        guard let main = files.files.first, main.path == file else {
            throw ConfigError(diagnostics: files.diagnostics)
        }
        let compilers = files.files.map { ConfigCompiler(file: $0, environment: environment, readsSecrets: readsSecrets) }
        let mainCompiler = compilers[0]
        let state = mainCompiler.state(main.top)
        let database = mainCompiler.database(main.top)
        let listen = main.top["listen"].map(mainCompiler.compileListen) ?? GatewayConfig.Listen()
        let audit = main.top["audit"].flatMap(mainCompiler.compileAudit)
        let outbox = main.top["outbox"].map(mainCompiler.compileOutbox) ?? GatewayConfig.Outbox()
        let desk = main.top["desk"].flatMap(mainCompiler.compileDesk)

        // Every file's definitions first, so that any file may refer to any other's; names are
        // collected before definitions are judged, so that one bad platform, channel or check is
        // reported once, not again by everything that refers to it.
        var platforms = Declared<PlatformConfig>()
        var checks = Declared<Check>()
        for (file, compiler) in zip(files.files, compilers) {
            if let node = file.top["platforms"] {
                platforms.merge(compiler.compilePlatforms(node), kind: "platform", reader: file.reader)
            }
            if let node = file.top["checks"] {
                var declared = compiler.compileChecks(node)
                declared.complete = node.mapping != nil
                checks.merge(declared, kind: "check", reader: file.reader)
            } else if file.top.unknownKeys {
                // A misspelled `checks:` section: no check name can be called unknown.
                checks.complete = false
            }
        }
        if platforms.names.isEmpty && files.files.allSatisfy({ $0.top["platforms"] == nil }) {
            main.reader.error(at: main.top.node, "the config has no 'platforms'")
        }
        var channels = Declared<Channel>()
        for (file, compiler) in zip(files.files, compilers) {
            if let node = file.top["channels"] {
                var declared = compiler.compileChannels(node, platforms: platforms)
                declared.complete = node.mapping != nil
                channels.merge(declared, kind: "channel", reader: file.reader)
            } else if file.top.unknownKeys {
                // With an unreadable `channels:` section every channel name is unknown; saying so
                // for each route would bury the one real error.
                channels.complete = false
            }
        }
        var routes: [Route] = []
        var routeNames: [String: String] = [:]
        for (file, compiler) in zip(files.files, compilers) {
            if let node = file.top["routes"] {
                routes += compiler.compileRoutes(node, channels: channels, checks: checks, seen: &routeNames)
            }
        }

        let review = main.top["review"].flatMap { mainCompiler.compileReview($0, platforms: platforms) }
        // Review cards go through the `review:` section's robot: a route whose reviewers are
        // DingTalk people needs one.
        if review == nil, main.top["review"] == nil,
            let route = routes.first(where: { route in
                guard let rule = route.review else { return false }
                return (rule.reviewers + rule.reviewers(escalated: true)).contains { if case .unixGroup = $0 { false } else { true } }
            })
        {
            main.reader.error(
                at: main.top.node,
                "route '\(route.name)' has DingTalk reviewers, but the config has no 'review:' section (review: { platform: NAME, card_template: ID }) saying which robot sends their cards"
            )
        }
        if let review {
            // Clicks come over Stream unless DingTalk is told where to post them: a robot that
            // receives by HTTP opens no Stream connection, so its cards could never be decided.
            if case .dingtalk(let dingtalk)? = platforms.valid[review.platform]?.settings, dingtalk.receive == .http,
                dingtalk.cardCallbackURL == nil
            {
                main.reader.error(
                    at: main.top["review"],
                    "review: platform '\(review.platform)' has receive: http, so card clicks cannot come over Stream; give it card_callback_url (the public address of /hooks/\(review.platform)/cards)"
                )
            }
            for route in routes {
                guard let room = route.review?.room, let channel = channels.valid[room], channel.platform != review.platform else { continue }
                main.reader.error(
                    at: main.top["review"],
                    "route '\(route.name)': review_in: channel '\(room)' is on platform '\(channel.platform)', but review cards are sent by '\(review.platform)'"
                )
            }
        }

        let console = main.top["console"].flatMap { mainCompiler.compileConsole($0, platforms: platforms) }
        if listen.console != nil, main.top["console"] == nil {
            main.reader.error(
                at: main.top.node,
                "listen.console is set, but the config has no 'console:' section (console: { url: URL, sign_in: PLATFORM, roles: {…} }) saying who may sign in"
            )
        } else if listen.console == nil, let node = main.top["console"] {
            main.reader.warning(at: node, "console: the console is off: listen.console (HOST:PORT) says where it would listen")
        }

        // Pushed updates arrive at the HTTP listener: a webhook platform needs one.
        if listen.http == nil {
            for platform in platforms.valid.values.sorted(by: { $0.name < $1.name }) {
                var pushed = false
                switch platform.settings {
                case .telegram(let telegram): pushed = telegram.webhook != nil
                case .dingtalk(let dingtalk): pushed = dingtalk.receive == .http || dingtalk.cardCallbackURL != nil
                }
                if pushed {
                    main.reader.error(
                        at: main.top.node,
                        "platform '\(platform.name)' receives pushes at /hooks/\(platform.name), but the config has no listen.http"
                    )
                }
            }
        }
        let diagnostics = files.diagnostics + files.files.flatMap(\.reader.diagnostics)
        guard !diagnostics.contains(where: { $0.severity == .error }) else {
            throw ConfigError(diagnostics: diagnostics)
        }
        // The revision covers every file the rules were read from, in load order, each with its
        // path: a change to an included file or a keyword list is a new revision (a reload then
        // takes it, and the log records it). A lone YAML file hashes as its bytes alone, as
        // before keyword lists counted.
        let ruleFiles = files.files.flatMap(\.reader.ruleFiles)
        var hash = SHA256()
        for (path, data) in files.files.map({ ($0.path, Data($0.text.utf8)) }) + ruleFiles.map({ ($0.path, $0.data) }) {
            hash.update(data: Data(path.utf8))
            hash.update(data: Data([0]))
            hash.update(data: data)
            hash.update(data: Data([0]))
        }
        var config = GatewayConfig(
            file: file,
            revision: files.files.count == 1 && ruleFiles.isEmpty
                ? SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
                : hash.finalize().map { String(format: "%02x", $0) }.joined(),
            state: state,
            listen: listen,
            platforms: platforms.valid,
            channels: channels.valid,
            checks: checks.valid,
            routes: routes,
            audit: audit,
            outbox: outbox
        )
        config.warnings = diagnostics.filter { $0.severity == .warning }
        config.sources =
            files.files.map { ConfigSource(path: $0.path, text: ConfigSource.masking($0.text, at: $0.reader.inlineSecrets)) }
            + ruleFiles.map { ConfigSource(path: $0.path, text: String(decoding: $0.data, as: UTF8.self)) }
        config.database = database
        if let desk { config.desk = desk }
        config.review = review
        config.console = console
        return config
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
                file: file,
                line: context.mark.line,
                column: context.mark.column,
                message: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in a mapping"
            )
        case .reader(let problem, _, _, _):
            return Diagnostic(file: file, line: 1, column: 1, message: "YAML: \(problem)")
        default:
            return Diagnostic(file: file, line: 1, column: 1, message: "cannot parse YAML: \(yaml)")
        }
    }
}
