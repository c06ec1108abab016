import Foundation

/// A multipart/form-data body (RFC 7578), as the platforms' upload methods take files: fields,
/// then files, each in its own part. A file's name comes from outside (a sender named it): a
/// quote or a line break in it would end its header early and let it forge another, so they are
/// replaced.
public struct MultipartForm: Sendable {
    public let boundary: String
    private var body: [UInt8] = []

    public init(boundary: String = "gatehouse-\(UUID().uuidString)") {
        self.boundary = boundary
    }

    /// The request's Content-Type.
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// A field.
    public mutating func add(_ name: String, _ value: String) {
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }

    /// A file in the part named `field`.
    public mutating func add(file field: String, name: String, contentType: String?, data: some Collection<UInt8>) {
        let name = name.replacingOccurrences(of: "\"", with: "'").replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(name)\"\r\n".utf8)
        body += Array("Content-Type: \(contentType ?? "application/octet-stream")\r\n\r\n".utf8)
        body += data
        body += Array("\r\n".utf8)
    }

    /// The whole body, closed.
    public var bytes: [UInt8] { body + Array("--\(boundary)--\r\n".utf8) }
}
