import GatehouseCore
import Testing

@Suite struct TextSplitterTests {
    @Test func shortTextIsOnePart() {
        #expect(TextSplitter(limit: 4096, measure: .utf16).split("hello") == ["hello"])
    }

    @Test func partsRespectTheLimitAndRejoinToTheOriginal() {
        let text = String(repeating: "Gatehouse 网关 👨‍👩‍👧 line\n", count: 500)
        for measure in [TextSplitter.Measure.utf16, .utf8] {
            let splitter = TextSplitter(limit: 4096, measure: measure)
            let parts = splitter.split(text)
            #expect(parts.count > 1)
            #expect(parts.joined() == text)
            for part in parts {
                #expect((measure == .utf16 ? part.utf16.count : part.utf8.count) <= 4096)
            }
        }
    }

    @Test func neverSplitsASurrogatePairOrAGraphemeCluster() {
        // 4095 ASCII then an emoji of 2 UTF-16 units: the emoji must move whole to the next part.
        let text = String(repeating: "a", count: 4095) + "😀" + "b"
        let parts = TextSplitter(limit: 4096, measure: .utf16).split(text)
        #expect(parts == [String(repeating: "a", count: 4095), "😀b"])
        let family = String(repeating: "👨‍👩‍👧‍👦", count: 1000)
        for part in TextSplitter(limit: 100, measure: .utf16).split(family) {
            #expect(part.count == part.unicodeScalars.count / 7)
        }
    }

    @Test func prefersALineBreakNearTheEnd() {
        let text = String(repeating: "x", count: 90) + "\n" + String(repeating: "y", count: 30)
        #expect(
            TextSplitter(limit: 100, measure: .utf16).split(text) == [String(repeating: "x", count: 90) + "\n", String(repeating: "y", count: 30)]
        )
    }
}

@Suite struct BackoffTests {
    @Test func doublesAndClampsBetweenMinimumAndMaximum() {
        let backoff = Backoff(minimum: .seconds(1), maximum: .seconds(10))
        #expect((1...6).map { backoff.delay(afterFailures: $0) } == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
        #expect(backoff.delay(afterFailures: 500) == .seconds(10))
    }

    @Test func jitterOnlyShortensWithinItsFraction() {
        let backoff = Backoff(minimum: .seconds(4), maximum: .seconds(4), jitter: 0.5)
        for _ in 0..<50 {
            let delay = backoff.delay(afterFailures: 1)
            #expect(delay <= .seconds(4) && delay >= .seconds(2))
        }
    }
}

@Suite struct DurationConversionTests {
    @Test func keepsSubsecondPrecisionAndSaturates() {
        #expect(Duration.milliseconds(1500).totalNanoseconds == 1_500_000_000)
        #expect(Duration.milliseconds(250).timeInterval == 0.25)
        #expect(Duration.seconds(Int64.max).totalNanoseconds == .max)
    }
}
