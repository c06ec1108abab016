#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A TCP port on 127.0.0.1 that was free a moment ago: for a test whose listener's address must be
/// known before it starts (a webhook URL handed to the platform first). Binding port 0 and asking
/// is the usual way; another process could take the port in between, which on a test machine
/// does not happen in practice.
public func freeLocalPort() -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
        }
    }
    precondition(bound, "cannot bind a socket on 127.0.0.1")
    return Int(UInt16(bigEndian: address.sin_port))
}
