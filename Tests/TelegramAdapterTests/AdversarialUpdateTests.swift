import AsyncHTTPClient
import Foundation
import GatehouseCore
import Logging
import Testing

@testable import TelegramAdapter

/// Updates shaped to trap the process or slip past a check, each closed.
@Suite struct AdversarialUpdateTests {
    let mapping = UpdateMappingTests()

    @Test func photoSizesAtIntMaxDoNotTrapTheComparison() throws {
        let envelope = try #require(
            try mapping.envelope(
                """
                {"update_id":20,"message":{"message_id":8,"date":1790000000,"chat":{"id":-1009,"type":"supergroup"},"from":{"id":1,"first_name":"A"},
                 "photo":[{"file_id":"S","file_unique_id":"s","width":9223372036854775807,"height":9223372036854775807},
                          {"file_id":"L","file_unique_id":"l","width":-9223372036854775808,"height":2}]}}
                """
            )
        )
        #expect(envelope.attachments.map(\.reference) == ["S"])
    }

    @Test func anEditIsJudgedWhenItWasMadeSoOfficeHoursCannotBeBypassedByEditingAtNight() throws {
        // Posted at 10:00 Shanghai time, edited at 23:00: an `outside:` check sees 23:00.
        let envelope = try #require(
            try mapping.envelope(
                """
                {"update_id":21,"edited_message":{"message_id":9,"date":1790042400,"edit_date":1790089200,"text":"now it says something else",
                 "chat":{"id":-1009,"type":"supergroup"},"from":{"id":1,"first_name":"A"}}}
                """
            )
        )
        #expect(envelope.kind == .edit)
        #expect(envelope.time == Date(timeIntervalSince1970: 1_790_089_200))
        let rule = TimeWindowDetector(days: Set(1...7), start: 9 * 60, end: 18 * 60, timeZone: TimeZone(identifier: "Asia/Shanghai")!)
        #expect(rule.violated(by: envelope))
    }

    @Test func entitiesWithOffsetsAtIntMaxAreDroppedWithoutTrappingTheSum() throws {
        let envelope = try #require(
            try mapping.envelope(
                """
                {"update_id":22,"message":{"message_id":10,"date":1790000000,"text":"hello","chat":{"id":-1009,"type":"supergroup"},"from":{"id":1,"first_name":"A"},
                 "entities":[{"type":"bold","offset":9223372036854775807,"length":1},{"type":"italic","offset":1,"length":9223372036854775807},
                             {"type":"bold","offset":0,"length":5}]}}
                """
            )
        )
        #expect(envelope.body.spans.map(\.length) == [5])
    }
}
