import Foundation

/// When an operator's announcement goes out: now, at one moment for every destination, or at a
/// local hour in each destination's own time zone (its channel's `tz`).
public enum AnnouncementTime: Sendable, Hashable {
    case now
    case at(Date)
    /// Hour and minute on the destination's clock, the next time it shows them.
    case localTime(hour: Int, minute: Int)

    /// Why a time cannot be used; nothing is decided or recorded then.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads the command line's forms: `at` as "2026-12-01 09:00" (or with seconds, or a `T`) in
    /// the zone `tz`, or as ISO 8601 with its own offset ("2026-12-01T09:00:00+08:00") and no
    /// `tz`; or `localTime` as "09:00". Nothing given: now.
    public init(at: String?, tz: String?, localTime: String?) throws(Invalid) {
        switch (at, tz, localTime) {
        case (nil, nil, nil):
            self = .now
        case (nil, nil, let local?):
            let parts = local.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hour = Int(parts[0]), let minute = Int(parts[1]),
                (0..<24).contains(hour), (0..<60).contains(minute)
            else {
                throw Invalid(description: "local time must be HH:MM (00:00 to 23:59), found '\(local)'")
            }
            self = .localTime(hour: hour, minute: minute)
        case (let at?, let zone, nil):
            self = .at(try Self.moment(at, zone: zone))
        case (nil, _?, nil):
            throw Invalid(description: "a time zone goes with --at: the time it reads")
        default:
            throw Invalid(description: "give --at (with --tz) or --local-time, not both")
        }
    }

    private static func moment(_ text: String, zone name: String?) throws(Invalid) -> Date {
        let text = text.trimmingCharacters(in: .whitespaces)
        if name == nil, let date = try? Date(text, strategy: Date.ISO8601FormatStyle(timeZone: .gmt)) {
            return date
        }
        guard let name else {
            throw Invalid(
                description: "'\(text)' names no offset: give --tz (an IANA name such as Asia/Shanghai), or an ISO 8601 time with its offset"
            )
        }
        guard let zone = TimeZone(identifier: name) else {
            throw Invalid(description: "unknown time zone '\(name)' (use an IANA name such as Asia/Shanghai)")
        }
        // yyyy-MM-dd HH:mm[:ss], with a space or a T.
        let pattern = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/
        guard let match = text.wholeMatch(of: pattern) else {
            throw Invalid(description: "--at must read like 2026-12-01 09:00 (in the --tz zone), found '\(text)'")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let fields = DateComponents(
            year: Int(match.1),
            month: Int(match.2),
            day: Int(match.3),
            hour: Int(match.4),
            minute: Int(match.5),
            second: match.6.flatMap { Int($0) } ?? 0
        )
        // A time the zone skips (a daylight-saving gap) or a date that does not exist is refused,
        // not moved: the operator meant a moment that is not there.
        guard fields.isValidDate(in: calendar), let date = calendar.date(from: fields),
            calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date) == fields
        else {
            throw Invalid(description: "'\(text)' is not a time that exists in \(name)")
        }
        // …and one the clocks show twice (the hour after daylight saving ends) is refused too:
        // which of the two was meant is the operator's to say, with an offset.
        let again = [1800.0, 3600.0].contains { later in
            calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date.addingTimeInterval(later)) == fields
        }
        guard !again else {
            throw Invalid(
                description:
                    "'\(text)' happens twice in \(name) (the clocks go back then): give the time with its offset, such as 2026-10-25T02:30:00+02:00"
            )
        }
        return date
    }

    /// When it is due at `channel`, as of `now`: nil for now. A moment already past, or a local
    /// time for a channel without a time zone, is refused.
    public func due(at channel: Channel, now: Date) throws(Invalid) -> Date? {
        switch self {
        case .now:
            return nil
        case .at(let date):
            guard date > now else {
                throw Invalid(description: "\(date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))) has passed")
            }
            return date
        case .localTime(let hour, let minute):
            guard let zone = channel.timeZone else {
                throw Invalid(description: "channel '\(channel.name)' has no tz: set one (tz: Asia/Shanghai) to send at its local time, or use --at")
            }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            // The next time the clock there shows it (today if still ahead, else tomorrow); in a
            // daylight-saving gap, the first moment after it.
            guard
                let date = calendar.nextDate(
                    after: now,
                    matching: DateComponents(hour: hour, minute: minute, second: 0),
                    matchingPolicy: .nextTime
                )
            else {
                throw Invalid(description: "no \(String(format: "%02d:%02d", hour, minute)) ahead in \(zone.identifier)")
            }
            return date
        }
    }
}
