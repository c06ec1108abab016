import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Log lines on standard error, one line per event, metadata as sorted `key=value` pairs. When
/// standard error is the journal (`$JOURNAL_STREAM` names it), each line starts with its syslog
/// priority (`<6>` for info), which journald reads as the entry's priority, and carries no time
/// of its own (the journal stamps every entry).
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let toJournal: Bool

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// A handler for `label`, to the journal when standard error is connected to it.
    public static func standardError(label: String) -> JournalLogHandler {
        JournalLogHandler(label: label, toJournal: isJournal(environment: ProcessInfo.processInfo.environment))
    }

    init(label: String, toJournal: Bool) {
        self.label = label
        self.toJournal = toJournal
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let line = Self.line(
            level: event.level,
            message: "\(event.message)",
            metadata: merged,
            source: event.source,
            label: label,
            journal: toJournal,
            time: Date()
        )
        // One write(2) per event, under a lock: lines of concurrent events never interleave.
        let bytes = Array(line.utf8)
        Self.lock.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
                if written <= 0 { break }
                offset += written
            }
        }
    }

    private static let lock = Mutex(())

    /// One event as one line.
    static func line(
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata,
        source: String,
        label: String,
        journal: Bool,
        time: Date
    ) -> String {
        // A newline would start a second journal entry: keep the event on one line.
        func flat(_ text: String) -> String {
            text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        }
        let pairs = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\(flat("\($0.value)"))" }.joined(separator: " ")
        let body = "\(level): \(pairs.isEmpty ? "" : pairs + " ")[\(source)] \(flat(message))"
        if journal {
            return "<\(priority(of: level))>\(label): \(body)\n"
        }
        // Milliseconds: events of one second (a takeover, a burst) are told apart and ordered.
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return "\(format.string(from: time)) \(label): \(body)\n"
    }

    /// syslog priorities, as sd-daemon(3) lists them.
    static func priority(of level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Whether standard error is the journal's stream: `$JOURNAL_STREAM` is `DEVICE:INODE` of it
    /// (a child whose stderr was redirected elsewhere inherits the variable, so it is checked).
    static func isJournal(environment: [String: String]) -> Bool {
        guard let stream = environment["JOURNAL_STREAM"] else { return false }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
