import Hummingbird
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A request on the admin socket, with the connection it came on: its peer's credentials
/// (SO_PEERCRED) say who asks, and that person is who the audit log records.
public struct AdminContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Who is at the other end of the socket, as the kernel says: `uid 1000 (alice)`. Nil when
    /// the credentials cannot be read; then nothing is done in anyone's name.
    func peer() async -> String? {
        guard let provider = channel as? any SocketOptionProvider else { return nil }
        let future: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET),
            name: SocketOptionName(SO_PEERCRED)
        )
        guard let credentials = try? await future.get() else { return nil }
        return Self.describe(uid: credentials.uid)
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
