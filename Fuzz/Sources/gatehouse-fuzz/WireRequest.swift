import Foundation

/// An HTTP request as the fuzzer writes it: `name: value` lines, a blank line, the body. Names are
/// lowercased as the listener hands them to the adapters.
struct WireRequest {
    var headers: [String: String] = [:]
    var body: [UInt8]

    init(_ bytes: some Collection<UInt8>) {
        let bytes = Array(bytes)
        let blank = bytes.indices.first { index in
            index + 1 < bytes.count && bytes[index] == 0x0A && bytes[index + 1] == 0x0A
        }
        let head = blank.map { bytes[..<$0] } ?? []
        body = blank.map { Array(bytes[($0 + 2)...]) } ?? bytes
        for line in String(decoding: head, as: UTF8.self).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }
}
