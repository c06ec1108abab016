import Foundation
import GRDB

/// A moment split into UTC calendar fields at millisecond precision, written without a
/// formatter: the ledger writes several timestamps per event, and Foundation's formatters (ICU on
/// Linux) cost more than the rest of the event's work.
struct UTCTime {
    var year: Int64
    var month: Int64
    var day: Int64
    /// Milliseconds since midnight.
    var millisecond: Int64

    /// How a formatter cuts a `Date` (a Double of seconds) down to milliseconds. Foundation's two
    /// formatters differ, and each stored format must match its own byte for byte.
    enum Truncation {
        /// Whole seconds, then the fraction's milliseconds, truncated (`Date.ISO8601FormatStyle`).
        case fractionOfSecond
        /// The whole interval scaled to milliseconds, then rounded to the nearest (`DateFormatter`).
        case nearestMillisecond
    }

    init(_ date: Date, truncation: Truncation) {
        let interval = date.timeIntervalSince1970
        let total: Int64
        switch truncation {
        case .fractionOfSecond:
            let seconds = interval.rounded(.down)
            total = Int64(seconds) * 1000 + min(Int64(((interval - seconds) * 1000).rounded(.down)), 999)
        case .nearestMillisecond:
            total = Int64((interval * 1000).rounded())
        }
        let (days, rest) = total.quotientAndRemainder(dividingBy: 86_400_000)
        let (civilDays, timeOfDay) = rest < 0 ? (days - 1, rest + 86_400_000) : (days, rest)
        (year, month, day) = Self.civil(fromDays: civilDays)
        millisecond = timeOfDay
    }

    /// `YYYY-MM-DD<separator>HH:MM:SS.mmm`.
    func write(to bytes: inout [UInt8], dateTimeSeparator: UInt8) {
        Self.digits(year, 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.digits(month, 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.digits(day, 2, to: &bytes)
        bytes.append(dateTimeSeparator)
        Self.digits(millisecond / 3_600_000, 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.digits(millisecond / 60_000 % 60, 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.digits(millisecond / 1000 % 60, 2, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        Self.digits(millisecond % 1000, 3, to: &bytes)
    }

    private static func digits(_ value: Int64, _ width: Int, to bytes: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Howard Hinnant's civil-from-days: the proleptic Gregorian date of a day count from 1970-01-01.
    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// A `Date` as the SQLite ledger stores dates (`YYYY-MM-DD HH:MM:SS.SSS`, UTC, GRDB's format), so
/// stored values compare and read back exactly like GRDB's own, without its DateFormatter.
struct StoredDate: SQLBindable {
    var date: Date

    init(_ date: Date) {
        self.date = date
    }

    var sqlValue: SQLValue { .date(date) }

    /// The stored text.
    var databaseValue: DatabaseValue {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(23)
        UTCTime(date, truncation: .nearestMillisecond).write(to: &bytes, dateTimeSeparator: UInt8(ascii: " "))
        return String(decoding: bytes, as: UTF8.self).databaseValue
    }

    /// A stored date read back (any of the formats GRDB reads).
    static func parse(_ text: String) -> Date? {
        Date.fromDatabaseValue(text.databaseValue)
    }
}
