import GatehouseTesting
import Testing

@testable import GatehouseConsole

/// The config comparison's line diff: the shortest edit script, and hunks as a unified diff shows them.
@Suite struct LineDiffTests {
    @Test func aChangedLineIsRemovedThenAddedWithItsNumbersOnEachSide() throws {
        let lines = try #require(LineDiff.lines(from: ["a", "b", "c", "d"], to: ["a", "x", "c", "d", "e"]))
        #expect(
            lines == [
                .init(kind: .same, old: 1, new: 1, text: "a"), .init(kind: .removed, old: 2, new: nil, text: "b"),
                .init(kind: .added, old: nil, new: 2, text: "x"), .init(kind: .same, old: 3, new: 3, text: "c"),
                .init(kind: .same, old: 4, new: 4, text: "d"), .init(kind: .added, old: nil, new: 5, text: "e"),
            ]
        )
        #expect(LineDiff.hunks(try #require(LineDiff.lines(from: ["a"], to: ["a"]))).isEmpty)
        #expect(LineDiff.lines(from: [], to: []) == [])
    }

    @Test func hunksKeepThreeLinesOfContextAndSplitWhereMoreAreUnchanged() throws {
        let old = (1...20).map { "line \($0)" }
        var new = old
        new[1] = "changed 2"
        new[17] = "changed 18"
        let hunks = LineDiff.hunks(try #require(LineDiff.lines(from: old, to: new)))
        #expect(hunks.count == 2)
        #expect(hunks[0].first?.old == 1 && hunks[0].last?.old == 5)
        #expect(hunks[1].first?.old == 15 && hunks[1].last?.old == 20)
    }

    @Test func theScriptIsShortestAndRebuildsBothTexts() throws {
        // Small random texts over a small alphabet (many repeats, the hard case): each diff gives
        // back both texts, with as many edits as their longest common subsequence allows.
        var generator = SplitMix64(seed: 20_261_207)
        for _ in 0..<300 {
            let a = (0..<Int(generator.next() % 12)).map { _ in String(generator.next() % 4) }
            let b = (0..<Int(generator.next() % 12)).map { _ in String(generator.next() % 4) }
            let lines = try #require(LineDiff.lines(from: a, to: b))
            #expect(lines.filter { $0.kind != .added }.map(\.text) == a)
            #expect(lines.filter { $0.kind != .removed }.map(\.text) == b)
            #expect(lines.filter { $0.kind != .same }.count == a.count + b.count - 2 * Self.common(a, b))
        }
    }

    @Test func textsTooFarApartAreSaidToBe() {
        #expect(LineDiff.lines(from: ["a", "b", "c"], to: ["x", "y", "z"], limit: 5) == nil)
        #expect(LineDiff.lines(from: ["a", "b", "c"], to: ["x", "y", "z"], limit: 6) != nil)
    }

    /// The longest common subsequence's length, by the textbook table.
    static func common(_ a: [String], _ b: [String]) -> Int {
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        return table[0][0]
    }
}
