import ArgumentParser
import AsyncHTTPClient
import Foundation
import GatehouseRuntime
import NIOCore

/// `--socket PATH`: where the running daemon's admin API listens (`listen.admin`).
struct AdminOptions: ParsableArguments {
    @Option(name: .long, help: "The admin socket (the config's listen.admin).")
    var socket: String = "/run/gatehouse/admin.sock"
}

/// Talks to a running daemon over its admin socket. The daemon names the caller from the
/// socket's peer credentials: what the audit log records is who ran the command.
struct AdminClient: Sendable {
    let socket: String

    func get<Result: Decodable>(_ path: String, as: Result.Type = Result.self) async throws -> Result {
        try await call("GET", path, body: nil)
    }

    func post<Result: Decodable>(
        _ path: String,
        _ body: (some Encodable)? = nil as AdminWire.Decision?,
        as: Result.Type = Result.self
    ) async throws -> Result {
        try await call("POST", path, body: try body.map { try AdminWire.encoder.encode($0) })
    }

    private func call<Result: Decodable>(_ method: String, _ path: String, body: Data?) async throws -> Result {
        guard let url = URL(httpURLWithSocketPath: socket, uri: path) else {
            throw CommandFailure("'\(socket)' is not a usable socket path")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .init(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let status: UInt
        let bytes: ByteBuffer
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            status = response.status.code
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw CommandFailure(
                "cannot reach the daemon's admin socket at \(socket) (is it running, with listen.admin set, and are you in its group?): \(error)"
            )
        }
        let data = Data(bytes.readableBytesView)
        guard (200..<300).contains(status) else {
            let message = (try? AdminWire.decoder.decode(AdminWire.Failure.self, from: data))?.error ?? String(decoding: data, as: UTF8.self)
            throw CommandFailure("\(message) (HTTP \(status))")
        }
        return try AdminWire.decoder.decode(Result.self, from: data)
    }
}
