/// A line-by-line comparison of two texts, as a unified diff shows it: Myers' O(ND) algorithm
/// (the one `git diff` and GNU diff use), the shortest edit script, grouped into hunks with
/// context lines around each change.
struct LineDiff {
    enum Kind: String {
        case same, removed, added
    }

    /// One line of the result, with its numbers in the old and the new text (1-based; nil on
    /// the side it is not on).
    struct Line: Equatable {
        var kind: Kind
        var old: Int?
        var new: Int?
        var text: String
    }

    /// The most edits looked for: texts further apart than this are said to be too different
    /// (the work grows with the square of the edits).
    static let editLimit = 1_000

    /// Every line of both texts in order, each kept, removed or added; nil when more than
    /// `limit` edits apart.
    static func lines(from a: [String], to b: [String], limit: Int = editLimit) -> [Line]? {
        let n = a.count
        let m = b.count
        let most = min(n + m, limit)
        // v[offset + k]: the furthest x reached on diagonal k. Each round's starting state is kept,
        // only the diagonals -(d+1)...(d+1) it reads, to walk back from the end: the trace holds
        // about most² numbers in all.
        let offset = most + 1
        var v = [Int](repeating: 0, count: 2 * most + 3)
        var trace: [[Int]] = []
        var found = false
        for d in 0...most {
            trace.append(Array(v[(offset - d - 1)...(offset + d + 1)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n, y < m, a[x] == b[y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n, y >= m {
                    found = true
                    break
                }
            }
            if found { break }
        }
        guard found else { return nil }
        var x = n
        var y = m
        var reversed: [Line] = []
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            // trace[d][d + 1 + k] is v[k] as round d began.
            let v = trace[d]
            let k = x - y
            let previous = k == -d || (k != d && v[d + k] < v[d + k + 2]) ? k + 1 : k - 1
            let previousX = v[d + 1 + previous]
            let previousY = previousX - previous
            while x > previousX, y > previousY {
                reversed.append(Line(kind: .same, old: x, new: y, text: a[x - 1]))
                x -= 1
                y -= 1
            }
            guard d > 0 else { break }
            if x == previousX {
                reversed.append(Line(kind: .added, old: nil, new: y, text: b[y - 1]))
                y -= 1
            } else {
                reversed.append(Line(kind: .removed, old: x, new: nil, text: a[x - 1]))
                x -= 1
            }
        }
        return reversed.reversed()
    }

    /// The changed lines with `context` unchanged lines around each, in hunks (a gap between
    /// two hunks is where unchanged lines were left out).
    static func hunks(_ lines: [Line], context: Int = 3) -> [[Line]] {
        let changed = lines.indices.filter { lines[$0].kind != .same }
        var hunks: [[Line]] = []
        var range: ClosedRange<Int>?
        for index in changed {
            let around = max(0, index - context)...min(lines.count - 1, index + context)
            if let current = range, around.lowerBound <= current.upperBound + 1 {
                range = current.lowerBound...around.upperBound
            } else {
                if let current = range { hunks.append(Array(lines[current])) }
                range = around
            }
        }
        if let current = range { hunks.append(Array(lines[current])) }
        return hunks
    }
}
