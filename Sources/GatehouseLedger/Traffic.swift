import Foundation
import GatehouseCore

/// Crossings counted per hour (UTC), route and verdict, kept as they are committed (in the same
/// transaction as their records), so that the console's charts over weeks read a few hundred
/// rows however large the log.
public struct Traffic: Sendable, Hashable {
    /// The hour's start.
    public var hour: Date
    public var route: String
    public var verdict: Verdict
    public var crossings: Int

    public init(hour: Date, route: String, verdict: Verdict, crossings: Int) {
        self.hour = hour
        self.route = route
        self.verdict = verdict
        self.crossings = crossings
    }

    /// The hour a time falls in, as the table spells it: `2026-12-07 15` (UTC).
    static func hour(of time: Date) -> String {
        let parts = Calendar.utc.dateComponents([.year, .month, .day, .hour], from: time)
        return String(format: "%04d-%02d-%02d %02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0)
    }

    /// The hour's start, from the table's spelling. Arithmetic rather than a calendar: a chart
    /// over 12 weeks reads some 20,000 of these, and `Calendar.date(from:)` costs microseconds each.
    static func date(ofHour text: String) -> Date? {
        let parts = text.split { $0 == "-" || $0 == " " }.compactMap { Int($0) }
        guard parts.count == 4, (1...12).contains(parts[1]), (1...31).contains(parts[2]), (0...23).contains(parts[3]) else { return nil }
        // Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil).
        let year = parts[1] <= 2 ? parts[0] - 1 : parts[0]
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (parts[1] + (parts[1] > 2 ? -3 : 9)) + 2) / 5 + parts[2] - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: Double(days * 86_400 + parts[3] * 3600))
    }

    /// A write group's crossings, counted per hour, route and verdict as its intakes are written,
    /// and upserted once per key at the end of the group's transaction: one statement per key for
    /// the whole group, not one per intake (each upsert is a round trip on PostgreSQL, and ends the
    /// gathering of the intakes' plain inserts into multi-row ones).
    struct Tally {
        private struct Key: Hashable, Comparable {
            var hour: String
            var route: String
            var verdict: String

            static func < (a: Key, b: Key) -> Bool { (a.hour, a.route, a.verdict) < (b.hour, b.route, b.verdict) }
        }

        private var counts: [Key: Int] = [:]

        /// Counts an intake's crossings.
        mutating func add(_ crossings: [Crossing], at time: Date) {
            guard !crossings.isEmpty else { return }
            let hour = Traffic.hour(of: time)
            for crossing in crossings { counts[Key(hour: hour, route: crossing.route, verdict: crossing.verdict.rawValue), default: 0] += 1 }
        }

        /// Adds what was counted to the table, in a fixed order (so that two writers never
        /// lock the same rows in opposite orders).
        func write(in db: any SQLSession) throws {
            for (key, count) in counts.sorted(by: { $0.key < $1.key }) {
                try db.run(
                    sql: """
                        INSERT INTO traffic (hour, route, verdict, crossings) VALUES (?, ?, ?, ?)
                        ON CONFLICT (hour, route, verdict) DO UPDATE SET crossings = traffic.crossings + excluded.crossings
                        """,
                    arguments: [key.hour, key.route, key.verdict, Int64(count)]
                )
            }
        }
    }
}

extension Calendar {
    public static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}

extension LedgerReader {
    /// The crossings counted per hour, route and verdict from `since` on, oldest first.
    public func traffic(since: Date) async throws -> [Traffic] {
        let from = Traffic.hour(of: since)
        return try await store.read { db in
            try SQLRow.fetchAll(
                db,
                sql: "SELECT hour, route, verdict, crossings FROM traffic WHERE hour >= ? ORDER BY hour, route, verdict",
                arguments: [from]
            ).compactMap { row in
                guard let hour = Traffic.date(ofHour: row["hour"]), let verdict = Verdict(rawValue: row["verdict"]) else { return nil }
                return Traffic(hour: hour, route: row["route"], verdict: verdict, crossings: row["crossings"])
            }
        }
    }
}
