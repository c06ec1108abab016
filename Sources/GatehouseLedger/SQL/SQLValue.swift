import Foundation

/// A value bound into or read out of a ledger statement, in the few types the ledger stores; each
/// backend maps them to its own (a date is text on SQLite, `timestamptz` on PostgreSQL).
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
    case date(Date)

    /// Dates are kept to the millisecond on every backend, so that a value written and read back
    /// compares equal wherever it was stored.
    static func rounded(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }
}

/// A Swift value a statement can bind.
public protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

/// A Swift value a column can be read as.
public protocol SQLReadable {
    /// The value, or nil when the column holds something else (or NULL).
    static func decode(_ value: SQLValue) -> Self?
}

/// A statement's arguments, written as an array literal: `[platform, eventID, time]`.
public struct SQLArguments: ExpressibleByArrayLiteral, Sendable {
    public var values: [SQLValue]

    public init(arrayLiteral elements: (any SQLBindable)?...) {
        values = elements.map { $0?.sqlValue ?? .null }
    }

    public init(_ elements: [(any SQLBindable)?]) {
        values = elements.map { $0?.sqlValue ?? .null }
    }

    public init(values: [SQLValue]) {
        self.values = values
    }

    /// These arguments and one more after them.
    public func appending(_ value: (any SQLBindable)?) -> SQLArguments {
        SQLArguments(values: values + [value?.sqlValue ?? .null])
    }
}

extension String: SQLBindable, SQLReadable {
    public var sqlValue: SQLValue { .text(self) }
    public static func decode(_ value: SQLValue) -> String? {
        switch value {
        case .text(let text): text
        case .integer(let number): String(number)
        case .blob(let data): String(data: data, encoding: .utf8)
        default: nil
        }
    }
}

extension Int64: SQLBindable, SQLReadable {
    public var sqlValue: SQLValue { .integer(self) }
    public static func decode(_ value: SQLValue) -> Int64? {
        switch value {
        case .integer(let number): number
        case .real(let number): Int64(exactly: number)
        // PostgreSQL's sums of integers are numerics, which arrive as text.
        case .text(let text): Int64(text)
        default: nil
        }
    }
}

extension Int: SQLBindable, SQLReadable {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public static func decode(_ value: SQLValue) -> Int? { Int64.decode(value).flatMap { Int(exactly: $0) } }
}

extension Bool: SQLBindable, SQLReadable {
    /// Stored as 0 or 1 on every backend (the schemas' flags are integers).
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    public static func decode(_ value: SQLValue) -> Bool? { Int64.decode(value).map { $0 != 0 } }
}

extension Double: SQLBindable, SQLReadable {
    public var sqlValue: SQLValue { .real(self) }
    public static func decode(_ value: SQLValue) -> Double? {
        switch value {
        case .real(let number): number
        case .integer(let number): Double(number)
        case .text(let text): Double(text)
        default: nil
        }
    }
}

extension Data: SQLBindable, SQLReadable {
    public var sqlValue: SQLValue { .blob(self) }
    public static func decode(_ value: SQLValue) -> Data? {
        switch value {
        case .blob(let data): data
        case .text(let text): Data(text.utf8)
        default: nil
        }
    }
}

extension Date: SQLBindable, SQLReadable {
    public var sqlValue: SQLValue { .date(self) }
    public static func decode(_ value: SQLValue) -> Date? {
        switch value {
        case .date(let date): date
        case .text(let text): StoredDate.parse(text)
        default: nil
        }
    }
}

extension SQLValue: SQLBindable {
    public var sqlValue: SQLValue { self }
}
