import Foundation
import Logging
import Synchronization

/// Every line the tests' loggers produce, at every level, appended to the file named by
/// `GATEHOUSE_TEST_LOG` when it is set: CI reads the whole run's logs afterwards and fails if a
/// secret (a bot token, an app secret) is in any of them, including debug lines no test looks at.
enum TestLogFile {
    private static let handle: Mutex<FileHandle?> = Mutex(
        {
            guard let path = ProcessInfo.processInfo.environment["GATEHOUSE_TEST_LOG"], !path.isEmpty else { return nil }
            if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            let handle = FileHandle(forWritingAtPath: path)
            _ = try? handle?.seekToEnd()
            return handle
        }()
    )

    static var isEnabled: Bool { handle.withLock { $0 != nil } }

    static func write(_ line: String) {
        handle.withLock { try? $0?.write(contentsOf: Data((line + "\n").utf8)) }
    }

    /// Writes every event, with its metadata, to the file.
    struct Handler: LogHandler {
        let label: String
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            TestLogFile.write("\(event.level) \(label): \(event.message) \(fields)")
        }
    }
}
