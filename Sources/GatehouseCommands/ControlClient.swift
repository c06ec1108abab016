import AsyncHTTPClient
import Foundation
import NIOCore

/// A small JSON client for the emulators' control API (`/_emulator/…`).
struct ControlClient: Sendable {
    let baseURL: String
    let http: HTTPClient

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func post<Body: Encodable, Result: Decodable>(_ path: String, _ body: Body, as: Result.Type = Result.self) async throws -> Result {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        return try await send(request, path)
    }

    func get<Result: Decodable>(_ path: String, as: Result.Type = Result.self) async throws -> Result {
        try await send(HTTPClientRequest(url: baseURL + path), path)
    }

    private func send<Result: Decodable>(_ request: HTTPClientRequest, _ path: String) async throws -> Result {
        let response = try await http.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw Failure(description: "\(path): HTTP \(response.status.code) \(String(buffer: body))")
        }
        return try JSONDecoder().decode(Result.self, from: Data(body.readableBytesView))
    }
}
