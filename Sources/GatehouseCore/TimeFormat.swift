import Foundation

/// How `{time}` renders a message's time: `{time}` is ISO 8601 in UTC,
/// `{time:yyyy-MM-dd HH:mm}` a pattern, `{time:HH:mm@Asia/Shanghai}` a pattern in a zone,
/// `{time@Asia/Shanghai}` ISO 8601 in that zone.
///
/// Pattern fields (a subset of the Unicode date-field symbols): `yyyy` `yy` `MM` `dd` `HH` `mm`
/// `ss` and `XXX` (offset, `+08:00`, `Z` for UTC); text in single quotes is literal, as is any
/// character that is not a letter.
public struct TimeFormat: Sendable, Hashable {
    enum Field: Sendable, Hashable {
        case literal(String)
        case year, shortYear, month, day, hour, minute, second, offset
    }

    let fields: [Field]
    public let zone: TimeZone

    public static let iso8601Pattern = "yyyy-MM-dd'T'HH:mm:ssXXX"

    /// Parses what follows `time` inside the braces (`:pattern@zone`, either part optional).
    public init(spec: String) throws(TemplateError) {
        var pattern = Self.iso8601Pattern
        var zoneName: String?
        var rest = Substring(spec)
        if let at = rest.lastIndex(of: "@") {
            zoneName = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        if rest.hasPrefix(":") {
            pattern = String(rest.dropFirst())
        } else if !rest.isEmpty {
            throw TemplateError(offset: 0, message: "write {time}, {time:PATTERN}, {time@ZONE} or {time:PATTERN@ZONE}")
        }
        if let zoneName {
            guard let zone = TimeZone(identifier: zoneName) else {
                throw TemplateError(offset: 0, message: "unknown time zone '\(zoneName)' (use an IANA name such as Asia/Shanghai)")
            }
            self.zone = zone
        } else {
            self.zone = TimeZone(identifier: "UTC") ?? .gmt
        }
        self.fields = try Self.parse(pattern)
    }

    private static func parse(_ pattern: String) throws(TemplateError) -> [Field] {
        let characters = Array(pattern)
        var fields: [Field] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "'" {
                guard let close = characters[(index + 1)...].firstIndex(of: "'") else {
                    throw TemplateError(offset: 0, message: "unclosed quote in the time pattern '\(pattern)'")
                }
                fields.append(.literal(close == index + 1 ? "'" : String(characters[(index + 1)..<close])))
                index = close + 1
                continue
            }
            guard character.isLetter, character.isASCII else {
                fields.append(.literal(String(character)))
                index += 1
                continue
            }
            var end = index
            while end < characters.count, characters[end] == character { end += 1 }
            let run = String(characters[index..<end])
            switch run {
            case "yyyy": fields.append(.year)
            case "yy": fields.append(.shortYear)
            case "MM": fields.append(.month)
            case "dd": fields.append(.day)
            case "HH": fields.append(.hour)
            case "mm": fields.append(.minute)
            case "ss": fields.append(.second)
            case "XXX": fields.append(.offset)
            default:
                throw TemplateError(offset: 0, message: "unknown time field '\(run)' in '\(pattern)'; known: yyyy yy MM dd HH mm ss XXX")
            }
            index = end
        }
        return fields
    }

    public func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func padded(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var output = ""
        for field in fields {
            switch field {
            case .literal(let text): output += text
            case .year: output += padded(parts.year, 4)
            case .shortYear: output += padded((parts.year ?? 0) % 100, 2)
            case .month: output += padded(parts.month, 2)
            case .day: output += padded(parts.day, 2)
            case .hour: output += padded(parts.hour, 2)
            case .minute: output += padded(parts.minute, 2)
            case .second: output += padded(parts.second, 2)
            case .offset:
                let seconds = zone.secondsFromGMT(for: date)
                if seconds == 0 {
                    output += "Z"
                } else {
                    output += (seconds < 0 ? "-" : "+") + padded(abs(seconds) / 3600, 2) + ":" + padded(abs(seconds) % 3600 / 60, 2)
                }
            }
        }
        return output
    }
}
