import Foundation
import GatehouseCore
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One connection to PostgreSQL and the thread its transactions run on, one at a time: the
/// ledger's writer, or its reader. It connects when first used and again after the connection
/// was lost; a transaction that takes longer than `timeout` has its connection closed under it,
/// so that a database out of reach fails a write in bounded time instead of hanging it.
final class PostgresWorker: @unchecked Sendable {
    private let location: PostgresLocation
    private let logger: Logger
    private let timeout: TimeAmount
    private let queue: DispatchQueue
    private let translations = PostgresTranslations()
    /// Touched only on `queue`.
    private var connection: PostgresConnection?
    private var nextID = 0

    init(location: PostgresLocation, role: String, timeout: Duration, logger: Logger) {
        self.location = location
        self.logger = logger
        self.timeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        self.queue = DispatchQueue(label: "gatehouse.postgres.\(role)")
    }

    /// Runs `body` in a transaction on the worker's thread.
    /// `timeout` replaces the worker's own bound (a migration may wait for another instance's).
    func transaction<T: Sendable>(
        begin: String,
        timeout: Duration? = nil,
        prepare: (@Sendable (PostgresSession) throws -> Void)? = nil,
        _ body: @escaping @Sendable (PostgresSession) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.run(begin: begin, timeout: timeout, prepare: prepare, body) })
            }
        }
    }

    /// Runs `body` in a transaction, blocking the calling thread until it is done.
    func transactionNow<T>(begin: String, timeout: Duration? = nil, _ body: (PostgresSession) throws -> T) throws -> T {
        try queue.sync { try run(begin: begin, timeout: timeout, prepare: nil, body) }
    }

    /// Closes the connection.
    func close() async {
        let connection: PostgresConnection? = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: self.connection)
                self.connection = nil
            }
        }
        if let connection { try? await connection.close() }
    }

    private func run<T>(
        begin: String,
        timeout: Duration?,
        prepare: ((PostgresSession) throws -> Void)?,
        _ body: (PostgresSession) throws -> T
    ) throws -> T {
        let bound = timeout.map { TimeAmount.nanoseconds(Int64($0.components.seconds) * 1_000_000_000) } ?? self.timeout
        let deadline = DispatchTime.now() + .nanoseconds(Int(bound.nanoseconds))
        let connection = try connected()
        let session = PostgresSession(connection: connection, translations: translations, deadline: deadline, logger: logger)
        do {
            try session.execute(sql: begin)
            try prepare?(session)
            let value = try body(session)
            try session.execute(sql: "COMMIT")
            return value
        } catch {
            // The server refused a statement: the connection is sound, the transaction is rolled
            // back. Anything else (lost, timed out, not answering): the connection is not used again.
            let refused = (error as? PostgresFailure).map { !$0.isConnectionLost } ?? !(error is PSQLError)
            if connection.isClosed || !refused || (try? session.rollback()) == nil {
                Self.close(connection)
                self.connection = nil
            }
            if connection.isClosed, !(error is PostgresFailure) || (error as? PostgresFailure)?.isConnectionLost == true {
                throw LedgerError.unreachable("the connection to \(location) was lost or timed out: \(error)")
            }
            throw error
        }
    }

    /// Closes a connection, keeping it alive until it has closed (PostgresNIO requires that).
    static func close(_ connection: PostgresConnection) {
        let closed: EventLoopFuture<Void> = connection.close()
        closed.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    deinit {
        if let connection { Self.close(connection) }
    }

    private func connected() throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connection = nil
        var configuration: PostgresConnection.Configuration
        if let folder = location.socketFolder {
            configuration = .init(
                unixSocketPath: (folder as NSString).appendingPathComponent(".s.PGSQL.\(location.port)"),
                username: location.user,
                password: location.password,
                database: location.database
            )
        } else {
            configuration = .init(
                host: location.host,
                port: location.port,
                username: location.user,
                password: location.password,
                database: location.database,
                tls: try tls()
            )
        }
        configuration.options.connectTimeout = .seconds(5)
        var parameters = [
            ("application_name", "gatehouse"),
            // A transaction abandoned by a vanished instance must not hold its locks for long.
            ("idle_in_transaction_session_timeout", "5s"),
            ("TimeZone", "UTC"),
        ]
        if let schema = location.schema { parameters.append(("search_path", schema)) }
        configuration.options.additionalStartupParameters = parameters
        nextID += 1
        do {
            let connecting = PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(),
                configuration: configuration,
                id: nextID,
                logger: logger
            )
            let connection: PostgresConnection
            do {
                connection = try PostgresSession.wait(connecting, until: .now() + .seconds(6))
            } catch is PostgresSession.TimedOut {
                // Should it connect after all, nobody uses it.
                connecting.whenSuccess { Self.close($0) }
                throw PostgresSession.TimedOut()
            }
            self.connection = connection
            return connection
        } catch let error as PSQLError {
            throw LedgerError.unreachable("cannot connect to \(location): \(PostgresFailure(error))")
        } catch is PostgresSession.TimedOut {
            throw LedgerError.unreachable("cannot connect to \(location): no answer within 6 s")
        } catch {
            throw LedgerError.unreachable("cannot connect to \(location): \(error)")
        }
    }

    private func tls() throws -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch location.tls {
        case .disable: return .disable
        case .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if let caFile = location.caFile {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        }
        let context = try NIOSSLContext(configuration: tls)
        return location.tls == .prefer ? .prefer(context) : .require(context)
    }
}
