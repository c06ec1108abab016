import Foundation
import GatehouseCore

/// The files being carried across, shared by every delivery: a file forwarded to many destinations
/// is fetched from its platform once (concurrent sends of it wait for the one fetch) and kept a
/// short while for the others, within a ceiling on the bytes held at once.
///
/// Past the ceiling a send does not wait (a wait could outlive a shutdown): it fails as
/// unavailable, so its job is deferred and retried once others have finished with their files.
actor FileCache {
    private struct Entry {
        var task: Task<AttachedFile, any Error>
        /// What it holds: the size announced (or the limit) while fetching, the real size after.
        var bytes: Int
        var lastUse: ContinuousClock.Instant
        var fetched: Bool
    }

    /// The most bytes held at once, in flight and kept.
    let ceiling: Int
    /// How long a fetched file is kept after its last use.
    let keep: Duration
    private var entries: [String: Entry] = [:]
    private var held = 0

    init(ceiling: Int = 256 << 20, keep: Duration = .seconds(600)) {
        self.ceiling = ceiling
        self.keep = keep
    }

    /// How many bytes it holds now (fetched files kept, and room reserved for fetches).
    var bytesHeld: Int { held }

    /// The file `key` names, fetched once with `fetch`; `estimate` is the room to reserve while
    /// it is fetched (its announced size, else the largest file allowed).
    func file(_ key: String, estimate: Int, fetch: @escaping @Sendable () async throws -> AttachedFile) async throws -> AttachedFile {
        let now = ContinuousClock.now
        if var entry = entries[key] {
            entry.lastUse = now
            entries[key] = entry
            return try await entry.task.value
        }
        let room = max(0, estimate)
        evict(toFit: room, now: now)
        guard held + room <= ceiling else {
            throw DeliveryError.unavailable("\(held >> 20) MiB of files are being carried (the ceiling is \(ceiling >> 20) MiB); retried later")
        }
        held += room
        let task = Task { try await fetch() }
        entries[key] = Entry(task: task, bytes: room, lastUse: now, fetched: false)
        do {
            let file = try await task.value
            // Held for what it is, not what was reserved.
            held += file.data.count - room
            entries[key]?.bytes = file.data.count
            entries[key]?.fetched = true
            return file
        } catch {
            held -= room
            entries[key] = nil
            throw error
        }
    }

    /// Forgets fetched files past their time, then the least recently used ones, until `room`
    /// more bytes fit (files still being fetched stay).
    private func evict(toFit room: Int, now: ContinuousClock.Instant) {
        for (key, entry) in entries where entry.fetched && now - entry.lastUse > keep {
            held -= entry.bytes
            entries[key] = nil
        }
        let idle = entries.filter(\.value.fetched).sorted { $0.value.lastUse < $1.value.lastUse }
        for (key, entry) in idle where held + room > ceiling {
            held -= entry.bytes
            entries[key] = nil
        }
    }
}
