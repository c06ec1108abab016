import Foundation

/// Where a PostgreSQL ledger is: a `postgres://` URL as libpq reads it (user, host, port,
/// database; `sslmode`, `sslrootcert`, a socket folder as `host=`), and the password, which never
/// comes from the URL of a config file but from a file of its own. Pure, so that the config
/// checks a URL where it is written.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// Why a URL is not one.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// How the connection is protected, as libpq's `sslmode` says it.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        case disable
        /// Encrypted when the server offers it.
        case prefer
        /// Encrypted, the server's certificate not checked.
        case require
        /// Encrypted, the certificate signed by the trusted authority (`sslrootcert`).
        case verifyCA = "verify-ca"
        /// As verify-ca, and issued for the host name connected to.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    /// The folder of the server's Unix socket, instead of `host` and TCP.
    public var socketFolder: String?
    public var user: String
    public var database: String
    public var password: String?
    public var tls: TLSMode
    /// The authority the server's certificate must be signed by (PEM); the system's when nil.
    public var caFile: String?
    /// The schema the tables are in (`search_path`), when not `public`: several ledgers in one
    /// database (the tests use one schema each).
    public var schema: String?

    /// Whether `text` names a PostgreSQL ledger rather than a folder.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads a `postgres://user[:password]@host[:port]/database?sslmode=…` URL.
    public init(url text: String) throws {
        guard Self.isURL(text), let url = URLComponents(string: text) else {
            throw Invalid("not a postgres:// URL")
        }
        host = url.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        port = url.port ?? 5432
        guard (1...65535).contains(port) else { throw Invalid("port \(port) is out of range") }
        user = url.user.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding } ?? "gatehouse"
        password = url.password?.removingPercentEncoding
        let path = String(url.path.drop(while: { $0 == "/" }))
        database = path.isEmpty ? user : (path.removingPercentEncoding ?? path)
        tls = .prefer
        for item in url.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw Invalid(
                        "sslmode \(value) is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                tls = mode
            case "sslrootcert": caFile = value
            case "host": socketFolder = value
            case "search_path", "schema":
                guard Self.isPlainName(value) else { throw Invalid("schema \(value) is not a plain name") }
                schema = value
            case "application_name", "connect_timeout": continue
            default: throw Invalid("unknown URL parameter \(item.name)")
            }
        }
        if tls == .verifyCA || tls == .verifyFull, socketFolder != nil {
            throw Invalid("sslmode \(tls.rawValue) needs a host, not a socket folder")
        }
    }

    /// A schema name the ledger writes into SQL as it is: letters, digits and underscores.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 63
            && name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }
            && !(0x30...0x39).contains(name.utf8.first!)
    }

    /// The location without its password: what logs and status lines show.
    public var description: String {
        var text = "postgres://\(user)@\(socketFolder == nil ? host : "")"
        if socketFolder == nil, port != 5432 { text += ":\(port)" }
        text += "/\(database)"
        var parameters: [String] = []
        if let socketFolder { parameters.append("host=\(socketFolder)") }
        if tls != .prefer { parameters.append("sslmode=\(tls.rawValue)") }
        if let schema { parameters.append("search_path=\(schema)") }
        return parameters.isEmpty ? text : text + "?" + parameters.joined(separator: "&")
    }
}
