import Foundation
import GatehouseCore
import Yams

extension ConfigSource {
    /// `text` with the scalar starting at each mark (1-based line and column, as the YAML parser
    /// gives them) replaced by ``mask``: a quoted scalar to its closing quote, a plain one to the
    /// end of its token (a `,`, `}` or `]` in flow style, a ` #` comment, the line's end). A
    /// secret spread over several lines (a block scalar) is masked from its first line's
    /// indicator on, and its other lines dropped.
    static func masking(_ text: String, at marks: [Mark]) -> String {
        guard !marks.isEmpty else { return text }
        var lines = text.components(separatedBy: "\n")
        var dropped: Set<Int> = []
        // Right to left on a line, so that an earlier mark's column still points where it did.
        for mark in marks.sorted(by: { ($0.line, $0.column) > ($1.line, $1.column) }) {
            let index = mark.line - 1
            guard lines.indices.contains(index) else { continue }
            var scalars = Array(lines[index].unicodeScalars)
            let start = mark.column - 1
            guard scalars.indices.contains(start) else { continue }
            var end = start
            switch scalars[start] {
            case "\"":
                end += 1
                while end < scalars.count, scalars[end] != "\"" { end += scalars[end] == "\\" ? 2 : 1 }
                end = min(end + 1, scalars.count)
            case "'":
                end += 1
                while end < scalars.count {
                    if scalars[end] == "'" {
                        if end + 1 < scalars.count, scalars[end + 1] == "'" { end += 2 } else { break }
                    } else {
                        end += 1
                    }
                }
                end = min(end + 1, scalars.count)
            case "|", ">":
                // A block scalar: its lines are the ones indented deeper than this key's line.
                end = scalars.count
                let indent = lines[index].prefix { $0 == " " }.count
                var next = index + 1
                while next < lines.count,
                    lines[next].trimmingCharacters(in: .whitespaces).isEmpty || lines[next].prefix(while: { $0 == " " }).count > indent
                {
                    dropped.insert(next)
                    next += 1
                }
            default:
                while end < scalars.count, !",}]".unicodeScalars.contains(scalars[end]),
                    !(scalars[end] == "#" && end > start && scalars[end - 1] == " ")
                {
                    end += 1
                }
                // Trailing spaces before a comment or the end stay.
                while end > start + 1, scalars[end - 1] == " " { end -= 1 }
            }
            scalars.replaceSubrange(start..<end, with: Array(mask.unicodeScalars))
            var line = String.UnicodeScalarView()
            line.append(contentsOf: scalars)
            lines[index] = String(line)
        }
        return lines.enumerated().filter { !dropped.contains($0.offset) }.map(\.element).joined(separator: "\n")
    }
}
