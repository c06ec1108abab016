#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A TCP port on 127.0.0.1 that was free a moment ago: for a test whose listener's address must be
/// known before it starts (a webhook URL handed to the platform first).
///
/// It is drawn from below the kernel's ephemeral range (Linux: 32768–60999), which binding port 0
/// and outgoing connections draw from: asking the kernel for a free port there lost races in CI,
/// when a parallel test's port-0 listener was given the same port before this one bound it.
public func freeLocalPort() -> Int {
    for _ in 0..<200 {
        let port = Int.random(in: 20_000..<32_000)
        if canBind(port) { return port }
    }
    preconditionFailure("no free port on 127.0.0.1 between 20000 and 32000")
}

private func canBind(_ port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(descriptor, socketAddress, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}
