import Hummingbird
import Logging
import NIOCore

import struct GatehouseCore.ReviewerIdentity

#if canImport(Glibc)
import Glibc
#endif

/// A request on the admin socket, with the connection it came on: its peer's credentials
/// (SO_PEERCRED) say who asks, and that person is who the audit log records.
public struct AdminContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: (any Channel)?
    /// The caller of a request a standby took on its socket and handed over (``AdminRelay``),
    /// as that standby's kernel named them.
    let forwarded: ReviewerIdentity?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        forwarded = nil
    }

    /// A request handed over by a standby, in its caller's name.
    init(forwardedBy caller: ReviewerIdentity, logger: Logger) {
        coreContext = .init(source: RelaySource(logger: logger))
        channel = nil
        forwarded = caller
    }

    private struct RelaySource: RequestContextSource {
        let logger: Logger
    }

    /// Who is at the other end of the socket, as the kernel says: `uid 1000 (alice)`. Nil when
    /// the credentials cannot be read; then nothing is done in anyone's name.
    func peer() async -> String? {
        if let forwarded { return forwarded.display }
        return await credentials().map { Self.describe(uid: $0.uid) }
    }

    /// The peer's credentials, as the kernel gives them (SO_PEERCRED).
    private func credentials() async -> PeerCredentials? {
        guard let provider = channel as? any SocketOptionProvider else { return nil }
        let future: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET),
            name: SocketOptionName(SO_PEERCRED)
        )
        return try? await future.get()
    }

    /// The peer as a reviewer of holds: their uid, login name and the groups they are a member
    /// of (primary and supplementary), which `reviewers: [group:NAME]` is judged against.
    func reviewer() async -> ReviewerIdentity? {
        if let forwarded { return forwarded }
        return await credentials().map { Self.reviewer(uid: $0.uid, gid: $0.gid) }
    }

    static func reviewer(uid: uid_t, gid: gid_t) -> ReviewerIdentity {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let login = entry.pw_name else {
            return ReviewerIdentity(via: .unix, id: String(uid), groups: groupName(gid).map { [$0] } ?? [])
        }
        let name = String(cString: login)
        var count: Int32 = 64
        var ids = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(login, entry.pw_gid, &ids, &count) == -1 {
            ids = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(login, entry.pw_gid, &ids, &count)
        }
        let gids = Set(ids.prefix(Int(max(0, count)))).union([gid])
        return ReviewerIdentity(via: .unix, id: String(uid), name: name, groups: gids.compactMap(groupName).sorted())
    }

    private static func groupName(_ gid: gid_t) -> String? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getgrgid_r(gid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.gr_name else { return nil }
        return String(cString: name)
    }

    /// `struct ucred` of <sys/socket.h> (pid, uid, gid), which Swift's Glibc module does not
    /// export (it needs _GNU_SOURCE): three 32-bit fields, laid out the same.
    struct PeerCredentials: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// `uid N (name)`, with the account's name when the system knows it.
    static func describe(uid: uid_t) -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        if getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name {
            return "uid \(uid) (\(String(cString: name)))"
        }
        return "uid \(uid)"
    }
}
