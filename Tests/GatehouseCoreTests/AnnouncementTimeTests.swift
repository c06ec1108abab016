import Foundation
import GatehouseCore
import Testing

/// When an operator's announcement is due at each destination.
@Suite struct AnnouncementTimeTests {
    let shanghai = Channel(name: "cn", platform: "tg", address: .chat("-1001", topic: nil), timeZone: TimeZone(identifier: "Asia/Shanghai"))
    let berlin = Channel(name: "de", platform: "tg", address: .chat("-1002", topic: nil), timeZone: TimeZone(identifier: "Europe/Berlin"))
    let nowhere = Channel(name: "x", platform: "tg", address: .chat("-1003", topic: nil))
    /// 2026-12-05 10:00:00Z: 18:00 in Shanghai, 11:00 in Berlin.
    let now = Date(timeIntervalSince1970: 1_796_464_800)

    func iso(_ date: Date?) -> String? {
        date?.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    @Test func atReadsTheTimeInTheGivenZoneOrInItsOwnOffset() throws {
        let inShanghai = try AnnouncementTime(at: "2026-12-06 09:00", tz: "Asia/Shanghai", localTime: nil)
        #expect(iso(try inShanghai.due(at: berlin, now: now)) == "2026-12-06T01:00:00Z")
        let withOffset = try AnnouncementTime(at: "2026-12-06T09:00:00+01:00", tz: nil, localTime: nil)
        #expect(iso(try withOffset.due(at: nowhere, now: now)) == "2026-12-06T08:00:00Z")
        #expect(try AnnouncementTime(at: nil, tz: nil, localTime: nil).due(at: nowhere, now: now) == nil)
    }

    @Test func aLocalTimeIsTheNextTimeEachDestinationsClockShowsIt() throws {
        let nine = try AnnouncementTime(at: nil, tz: nil, localTime: "09:00")
        // 18:00 in Shanghai: tomorrow's 09:00. 11:00 in Berlin: also tomorrow's, hours apart.
        #expect(iso(try nine.due(at: shanghai, now: now)) == "2026-12-06T01:00:00Z")
        #expect(iso(try nine.due(at: berlin, now: now)) == "2026-12-06T08:00:00Z")
        let evening = try AnnouncementTime(at: nil, tz: nil, localTime: "20:30")
        // Still ahead today in both.
        #expect(iso(try evening.due(at: shanghai, now: now)) == "2026-12-05T12:30:00Z")
        #expect(iso(try evening.due(at: berlin, now: now)) == "2026-12-05T19:30:00Z")
    }

    @Test func whatCannotBeMetIsRefusedWithTheReason() {
        func refusal(_ body: () throws -> Void) -> String {
            do {
                try body()
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(
            refusal { _ = try AnnouncementTime(at: nil, tz: nil, localTime: "09:00").due(at: nowhere, now: now) }.contains("channel 'x' has no tz")
        )
        #expect(
            refusal { _ = try AnnouncementTime(at: "2026-12-05 09:00", tz: "Asia/Shanghai", localTime: nil).due(at: berlin, now: now) }.contains(
                "has passed"
            )
        )
        #expect(refusal { _ = try AnnouncementTime(at: "2026-12-06 09:00", tz: nil, localTime: nil) }.contains("names no offset"))
        #expect(
            refusal { _ = try AnnouncementTime(at: "2026-12-06 09:00", tz: "Mars/Base", localTime: nil) }.contains("unknown time zone 'Mars/Base'")
        )
        #expect(refusal { _ = try AnnouncementTime(at: "tomorrow", tz: "UTC", localTime: nil) }.contains("must read like 2026-12-01 09:00"))
        #expect(refusal { _ = try AnnouncementTime(at: nil, tz: nil, localTime: "9am") }.contains("HH:MM"))
        #expect(refusal { _ = try AnnouncementTime(at: "2026-12-06 09:00", tz: "UTC", localTime: "09:00") }.contains("not both"))
        // 02:30 does not exist in Berlin on the night clocks go forward.
        #expect(refusal { _ = try AnnouncementTime(at: "2027-03-28 02:30", tz: "Europe/Berlin", localTime: nil) }.contains("not a time that exists"))
        // 02:30 happens twice in Berlin the night clocks go back; the hour before it does not.
        #expect(refusal { _ = try AnnouncementTime(at: "2027-10-31 02:30", tz: "Europe/Berlin", localTime: nil) }.contains("happens twice"))
        #expect(refusal { _ = try AnnouncementTime(at: "2027-10-31 01:30", tz: "Europe/Berlin", localTime: nil) } == "accepted")
    }
}
