import AsyncHTTPClient
import Foundation

/// What a person's browser does on the DingTalk emulator's authorize page: opens it, picks a
/// person (or refuses), and is sent back; where to, with the code and state in the query.
public enum SignInBrowser {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Opens `authorizeURL` and picks `userid` (nil refuses); the `Location` the emulator sends back.
    public static func pick(_ userid: String?, at authorizeURL: String) async throws -> String {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        do {
            let page = try await client.execute(HTTPClientRequest(url: authorizeURL), timeout: .seconds(30))
            guard page.status == .ok else { throw Failure(description: "the authorize page answered \(page.status.code)") }
            _ = try await page.body.collect(upTo: 1 << 20)
            guard let components = URLComponents(string: authorizeURL), let query = components.percentEncodedQuery else {
                throw Failure(description: "not an authorize URL: \(authorizeURL)")
            }
            var form = URLComponents(string: authorizeURL)!
            form.query = nil
            var request = HTTPClientRequest(url: form.string ?? authorizeURL)
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
            let choice = userid.map { "&userid=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? "&decision=deny"
            request.body = .bytes(Array((query + choice).utf8))
            let answer = try await client.execute(request, timeout: .seconds(30))
            _ = try await answer.body.collect(upTo: 1 << 20)
            guard answer.status == .found, let location = answer.headers.first(name: "location") else {
                throw Failure(description: "the authorize page did not send the browser back (\(answer.status.code))")
            }
            try await client.shutdown()
            return location
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// A query item of a URL.
    public static func parameter(_ name: String, of url: String) -> String? {
        URLComponents(string: url)?.queryItems?.first { $0.name == name }?.value
    }
}
