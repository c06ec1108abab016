import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a state directory, held for the life of the process that runs the
/// gateway on it: a second `gatehouse run` on the same directory would poll the same bot and send
/// every job twice, so it refuses to start instead.
///
/// `flock(2)` on `DIR/lock`: the kernel drops it when the process dies however it dies (SIGKILL
/// included), so a crash never leaves a stale lock behind.
public final class StateLock: Sendable {
    private let descriptor: Int32

    /// Takes the lock, creating the directory and the lock file if needed; throws, naming the
    /// directory, when another process holds it.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("lock")
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw LedgerError.missing("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK {
                throw LedgerError.missing(
                    "another gatehouse is running on the state directory \(directory) (it holds \(path)); one directory, one gateway"
                )
            }
            throw LedgerError.missing("cannot lock \(path): \(String(cString: strerror(code)))")
        }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}
