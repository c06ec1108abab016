import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Tells the service manager how the daemon is doing: sd_notify's protocol, a datagram of
/// `KEY=VALUE` lines to the socket `$NOTIFY_SOCKET` names (a path, or an abstract name when it
/// starts with `@`). No libsystemd: the protocol is this datagram, and nothing else is needed.
public struct SystemdNotifier: Sendable {
    /// The socket's address bytes (`sun_path`), nil when not run by a service manager.
    private let path: [UInt8]?
    /// How often the service manager wants `WATCHDOG=1` (`$WATCHDOG_USEC`), when it wants it
    /// from this process (`$WATCHDOG_PID`, when set, names it).
    public let watchdogInterval: Duration?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let socket = environment["NOTIFY_SOCKET"], !socket.isEmpty, socket.utf8.count < 108 {
            var bytes = Array(socket.utf8)
            // An abstract socket's name starts with a NUL where the environment shows '@'.
            if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
            path = bytes
        } else {
            path = nil
        }
        let pidMatches = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        if pidMatches, let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0 {
            watchdogInterval = .microseconds(usec)
        } else {
            watchdogInterval = nil
        }
    }

    /// Whether a service manager listens.
    public var isEnabled: Bool { path != nil }

    /// Sends `state` (newline-separated `KEY=VALUE` lines); false when nobody listens or the
    /// datagram could not be sent. Never throws: the daemon runs on without its manager's ear.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard let path else { return false }
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.enumerated() { buffer[index] = byte }
        }
        // Abstract names are exactly as long as given; paths end at their NUL.
        let length = MemoryLayout.offset(of: \sockaddr_un.sun_path)! + path.count + (path.first == 0 ? 0 : 1)
        let bytes = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                sendto(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, socklen_t(length))
            }
        }
        return sent == bytes.count
    }

    /// `MONOTONIC_USEC=`: CLOCK_MONOTONIC now, which `RELOADING=1` must carry.
    public static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }

    /// A `STATUS=` value: one line, as the manager shows it.
    public static func status(_ text: String) -> String {
        "STATUS=" + text.replacingOccurrences(of: "\n", with: " ")
    }
}
