import Foundation
import Hummingbird

/// Small HTTP helpers shared by both emulators.
enum EmulatorHTTP {
    /// Largest request body either emulator reads (the Bot API allows 50 MB uploads; the
    /// emulators take text only, so a few MB is plenty and bounds memory).
    static let maxBodyBytes = 8 << 20

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: value.jsonString)))
    }

    static func json(_ status: HTTPResponse.Status, encoding value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    /// The body bytes, or nil when the body is larger than `limit`.
    static func body(of request: Request, limit: Int = maxBodyBytes) async -> [UInt8]? {
        var request = request
        guard let buffer = try? await request.collectBody(upTo: limit) else { return nil }
        return Array(buffer.readableBytesView)
    }

    /// The media type of the request without parameters, lower-cased ("application/json").
    static func mediaType(of request: Request) -> String {
        guard let value = request.headers[.contentType] else { return "" }
        return value.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
    }

    /// A parameter of the Content-Type header, e.g. `boundary`.
    static func contentTypeParameter(_ name: String, of request: Request) -> String? {
        guard let value = request.headers[.contentType] else { return nil }
        for part in value.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            var parameter = pair[1].trimmingCharacters(in: .whitespaces)
            if parameter.hasPrefix("\""), parameter.hasSuffix("\""), parameter.count >= 2 {
                parameter = String(parameter.dropFirst().dropLast())
            }
            return parameter
        }
        return nil
    }

    /// Decodes `application/x-www-form-urlencoded` text (also used for query strings):
    /// `+` is a space, `%XX` an escaped byte. Pairs keep their order.
    static func formPairs(_ text: Substring) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = formDecode(parts[0])
            let value = parts.count > 1 ? formDecode(parts[1]) : ""
            return (key, value)
        }
    }

    static func formDecode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The raw (still encoded) query of a request target such as `/path?a=b`.
    static func rawQuery(of request: Request) -> Substring {
        let target = request.uri.string
        guard let mark = target.firstIndex(of: "?") else { return "" }
        var query = target[target.index(after: mark)...]
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        return query
    }

    static func queryPairs(of request: Request) -> [(String, String)] {
        formPairs(rawQuery(of: request))
    }

    /// Text fields of a `multipart/form-data` body; file parts are reported by name only.
    static func multipartFields(_ body: [UInt8], boundary: String) -> (fields: [(String, String)], files: [MultipartFile])? {
        let delimiter = Array(("--" + boundary).utf8)
        var fields: [(String, String)] = []
        var files: [MultipartFile] = []
        var parts: [ArraySlice<UInt8>] = []
        var searchStart = 0
        var partStart: Int?
        while let found = indexOf(delimiter, in: body, from: searchStart) {
            if let start = partStart { parts.append(body[start..<found]) }
            var next = found + delimiter.count
            if next + 1 < body.count, body[next] == UInt8(ascii: "-"), body[next + 1] == UInt8(ascii: "-") {
                partStart = nil
                break
            }
            if next + 1 < body.count, body[next] == 13, body[next + 1] == 10 { next += 2 }
            partStart = next
            searchStart = next
        }
        guard !parts.isEmpty || partStart == nil else { return nil }
        for var part in parts {
            // Each part ends with the CRLF that precedes the next delimiter.
            if part.count >= 2, part[part.endIndex - 2] == 13, part[part.endIndex - 1] == 10 {
                part = part.dropLast(2)
            }
            guard let headerEnd = indexOf([13, 10, 13, 10], in: Array(part), from: 0) else { continue }
            let bytes = Array(part)
            let headerText = String(decoding: bytes[..<headerEnd], as: UTF8.self)
            let value = bytes[(headerEnd + 4)...]
            var name: String?
            var isFile = false
            var filename = ""
            var contentType: String?
            // "\r\n" is a single Character, equal to neither "\r" nor "\n": split on any newline.
            for line in headerText.split(whereSeparator: \.isNewline) {
                if line.lowercased().hasPrefix("content-type:") {
                    contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
                guard line.lowercased().hasPrefix("content-disposition:") else { continue }
                for attribute in line.split(separator: ";").dropFirst() {
                    let pair = attribute.split(separator: "=", maxSplits: 1)
                    guard pair.count == 2 else { continue }
                    let key = pair[0].trimmingCharacters(in: .whitespaces).lowercased()
                    let raw = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    if key == "name" { name = raw }
                    if key == "filename" {
                        isFile = true
                        filename = raw
                    }
                }
            }
            guard let name else { continue }
            if isFile {
                files.append(MultipartFile(field: name, filename: filename, contentType: contentType, data: Array(value)))
            } else {
                fields.append((name, String(decoding: value, as: UTF8.self)))
            }
        }
        return (fields, files)
    }

    private static func indexOf(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], Array(haystack[index..<(index + needle.count)]) == needle {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Milliseconds since 1970, the DingTalk time unit.
    static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }

    /// Seconds since 1970, the Telegram time unit.
    static func nowSeconds() -> Int64 {
        Int64(Date().timeIntervalSince1970)
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

/// A file part of a multipart form.
struct MultipartFile: Sendable {
    var field: String
    var filename: String
    var contentType: String?
    var data: [UInt8]
}
