import Logging
import Synchronization

/// Records what is logged through its loggers, so that tests can assert what an operator would
/// read (and what must never appear in it, such as a token).
public final class LogRecorder: Sendable {
    public struct Entry: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]

        /// The message and its metadata as one line, as a log reader sees it.
        public var line: String {
            ([message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    /// A logger whose entries (at `level` and above) this recorder keeps.
    public func logger(_ label: String, level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { label in
            guard TestLogFile.isEnabled else { return Handler(recorder: self) }
            return MultiplexLogHandler([Handler(recorder: self), TestLogFile.Handler(label: label)])
        }
        logger.logLevel = level
        return logger
    }

    public var all: [Entry] { entries.withLock { $0 } }

    /// Entries at `level` or above.
    public func entries(atLeast level: Logger.Level) -> [Entry] {
        all.filter { $0.level >= level }
    }

    fileprivate func append(_ entry: Entry) {
        entries.withLock { $0.append(entry) }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            recorder.append(Entry(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}
