import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a new file that no one else can have read or swapped: created with `O_EXCL` (it must
/// not exist, and a symlink planted at its path is not followed) and its mode set by `open(2)`
/// itself, so there is no moment at which it exists with wider permissions; synced before closing.
enum ExclusiveFile {
    static func create(_ path: String, contents: Data, mode: mode_t = 0o600) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            let code = errno
            throw CommandFailure(
                code == EEXIST ? "\(path) exists; a key file is never overwritten" : "cannot create \(path): \(String(cString: strerror(code)))"
            )
        }
        defer { close(descriptor) }
        // The umask may have narrowed the mode, never widened it; set exactly what was asked.
        _ = fchmod(descriptor, mode)
        try contents.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                guard written > 0 else {
                    if written < 0, errno == EINTR { continue }
                    unlink(path)
                    throw CommandFailure("cannot write \(path): \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
        guard fsync(descriptor) == 0 else {
            unlink(path)
            throw CommandFailure("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
