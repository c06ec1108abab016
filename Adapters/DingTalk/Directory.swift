import AsyncHTTPClient
import Foundation
import GatehouseCore
import Logging
import NIOCore

/// The organisation's directory (通讯录): a person's name and departments by staff id
/// (topapi/v2/user/get, then topapi/v2/department/get for each department), cached for a time.
///
/// Asked at intake for every DingTalk sender, so it must never hold a crossing up: each lookup
/// has a short deadline, and a failure (no permission, an unknown id, a slow server) leaves the
/// sender as the message gave it and is remembered for a minute, so a failing directory is not
/// asked again for every message.
actor Directory {
    struct Person: Sendable, Equatable {
        var name: String
        var departments: [String]
    }

    private let oapiURL: String
    private let http: HTTPClient
    private let tokens: AccessTokenCache
    private let ttl: Duration
    private let logger: Logger
    private var people: [String: (person: Person?, until: ContinuousClock.Instant)] = [:]
    private var departments: [Int64: (name: String, until: ContinuousClock.Instant)] = [:]
    /// Failed lookups are remembered this long.
    static let failureTTL: Duration = .seconds(60)
    /// The most people and departments kept: an attacker writing from many new ids cannot grow it.
    static let capacity = 10_000
    /// A lookup's deadline, each call.
    static let deadline: Duration = .seconds(2)

    init(oapiURL: String, http: HTTPClient, tokens: AccessTokenCache, ttl: Duration, logger: Logger) {
        self.oapiURL = oapiURL
        self.http = http
        self.tokens = tokens
        self.ttl = ttl
        self.logger = logger
    }

    /// The person with this staff id, or nil when the directory does not say (now).
    func person(_ staffID: String) async -> Person? {
        let now = ContinuousClock.now
        if let cached = people[staffID], cached.until > now { return cached.person }
        var found: Person?
        do {
            found = try await lookup(staffID)
        } catch {
            logger.debug(
                "the directory does not say who this is; the sender stays as the message gave it",
                metadata: ["gh.error": .string("\(error)")]
            )
        }
        if people.count >= Self.capacity { people.removeAll(keepingCapacity: true) }
        people[staffID] = (found, now + (found == nil ? Self.failureTTL : ttl))
        return found
    }

    /// The person with this staff id as the directory says now (its departments from the cache),
    /// or the reason it does not.
    func lookup(_ staffID: String) async throws -> Person {
        let user: UserResult = try await call("/topapi/v2/user/get", ["userid": staffID, "language": "zh_CN"])
        var names: [String] = []
        for id in user.deptIDList ?? [] {
            if let name = try await department(id) { names.append(name) }
        }
        return Person(name: user.name ?? staffID, departments: names)
    }

    private func department(_ id: Int64) async throws -> String? {
        let now = ContinuousClock.now
        if let cached = departments[id], cached.until > now { return cached.name }
        let result: DepartmentResult = try await call("/topapi/v2/department/get", ["dept_id": String(id), "language": "zh_CN"])
        guard let name = result.name, !name.isEmpty else { return nil }
        if departments.count >= Self.capacity { departments.removeAll(keepingCapacity: true) }
        departments[id] = (name, now + ttl)
        return name
    }

    /// An old-API call: the token in the query, the fields as JSON, `errcode` 0 on success.
    func call<Result: Decodable>(_ path: String, _ fields: [String: String]) async throws -> Result {
        let token = try await tokens.token()
        var request = HTTPClientRequest(url: oapiURL + path + "?access_token=" + CustomRobotClient.queryValue(token))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(fields)))
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await http.execute(request, timeout: .nanoseconds(Self.deadline.totalNanoseconds))
            body = try await response.body.collect(upTo: 256 << 10)
        } catch {
            // Never the error's description: it may hold the URL, and the URL the token.
            throw DeliveryError.network("\(path): \(type(of: error))")
        }
        let answer = try JSONDecoder().decode(TopAPIAnswer<Result>.self, from: Data(body.readableBytesView))
        guard answer.errcode == 0, let result = answer.result else {
            if answer.errcode == 40014 || answer.errcode == 40001 || answer.errcode == 88 { await tokens.invalidate(token) }
            throw DeliveryError.rejected("\(path): \(answer.errcode) \(answer.errmsg ?? "")")
        }
        return result
    }
}

/// The old API's answer: `{"errcode":0,"errmsg":"ok","result":{…}}`. The documentation's own
/// example spells `errcode` as a string and `dept_id_list` as the text of an array: both read.
struct TopAPIAnswer<Result: Decodable>: Decodable {
    var errcode: Int
    var errmsg: String?
    var result: Result?

    enum CodingKeys: String, CodingKey {
        case errcode, errmsg, result
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        errcode = (try? container.decode(Int.self, forKey: .errcode)) ?? Int((try? container.decode(String.self, forKey: .errcode)) ?? "") ?? -1
        errmsg = try? container.decodeIfPresent(String.self, forKey: .errmsg)
        result = try container.decodeIfPresent(Result.self, forKey: .result)
    }
}

/// topapi/v2/user/get's `result`: the fields the sender needs.
struct UserResult: Decodable {
    var name: String?
    var deptIDList: [Int64]?

    enum CodingKeys: String, CodingKey {
        case name
        case deptIDList = "dept_id_list"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try? container.decodeIfPresent(String.self, forKey: .name)
        if let list = try? container.decodeIfPresent([Int64].self, forKey: .deptIDList) {
            deptIDList = list
        } else if let text = try? container.decodeIfPresent(String.self, forKey: .deptIDList) {
            deptIDList = (try? JSONDecoder().decode([Int64].self, from: Data(text.utf8))) ?? []
        }
    }
}

/// topapi/v2/department/get's `result`.
struct DepartmentResult: Decodable {
    var name: String?
}
