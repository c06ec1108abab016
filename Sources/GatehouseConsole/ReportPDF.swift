import Foundation

/// A small PDF writer for the period report: A4 pages of text lines — headings, paragraphs and
/// tables — in one font every PDF reader has without embedding it: Adobe's STSong-Light, the
/// standard Simplified Chinese font (PDF 1.7 §9.7.5.2 lists it with its CMaps), addressed in
/// UCS-2 (`UniGB-UCS2-H`), which carries Latin letters and digits as well as Chinese. ASCII is set
/// half-width (500/1000 em) and everything else full-width, so column widths are known without
/// font metrics. A ToUnicode map makes the text searchable and extractable as written.
/// Characters outside the Basic Multilingual Plane (emoji) print as `?`.
struct ReportPDF {
    /// One thing on a page.
    enum Block {
        case title(String)
        case heading(String)
        case paragraph(String)
        /// Rows of cells; the first row is the header. Each column is as wide as its widest cell
        /// (cut to fit the page, with `…`).
        case table([[String]])
    }

    static let pageWidth = 595.0
    static let pageHeight = 842.0
    static let margin = 50.0
    static let bodySize = 9.0
    static let headingSize = 12.0
    static let titleSize = 16.0

    /// The document: `blocks` laid out on as many pages as they need, each page footed with
    /// `footer` and its number.
    static func document(_ blocks: [Block], footer: String) -> Data {
        let pages = layout(blocks)
        var objects: [String] = []
        // 1 catalog, 2 pages, 3 font, 4 descendant font, 5 descriptor, 6 ToUnicode; then per page its
        // page object and its content stream.
        let first = 7
        let kids = pages.indices.map { "\(first + 2 * $0) 0 R" }.joined(separator: " ")
        objects.append("<< /Type /Catalog /Pages 2 0 R >>")
        objects.append("<< /Type /Pages /Kids [\(kids)] /Count \(pages.count) >>")
        objects.append("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] /ToUnicode 6 0 R >>")
        objects.append(
            "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>"
        )
        objects.append(
            "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
        )
        objects.append(stream(toUnicode))
        for (number, page) in pages.enumerated() {
            var content = page
            content += text("\(footer) — \(number + 1) / \(pages.count)", x: margin, y: margin / 2, size: 7)
            objects.append(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(Int(pageWidth)) \(Int(pageHeight))] /Resources << /Font << /F1 3 0 R >> >> /Contents \(first + 2 * number + 1) 0 R >>"
            )
            objects.append(stream(content))
        }
        var output = "%PDF-1.7\n%\u{E2}\u{E3}\u{CF}\u{D3}\n"
        var data = Data(output.utf8)
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(data.count)
            data.append(Data("\(index + 1) 0 obj\n\(object)\nendobj\n".utf8))
        }
        let xref = data.count
        output = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { output += String(format: "%010d 00000 n \n", offset) }
        output += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        data.append(Data(output.utf8))
        return data
    }

    /// The ToUnicode map: each UCS-2 code is the character it names.
    static let toUnicode: String = {
        let ranges = (0..<256).map { String(format: "<%02X00> <%02XFF> <%02X00>", $0, $0, $0) }
        return """
            /CIDInit /ProcSet findresource begin
            12 dict begin
            begincmap
            /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
            /CMapName /Gatehouse-UCS2 def
            /CMapType 2 def
            1 begincodespacerange
            <0000> <FFFF>
            endcodespacerange
            \(stride(from: 0, to: 256, by: 100).map { start -> String in
                let chunk = ranges[start..<min(start + 100, 256)]
                return "\(chunk.count) beginbfrange\n\(chunk.joined(separator: "\n"))\nendbfrange"
            }.joined(separator: "\n"))
            endcmap
            CMapName currentdict /CMap defineresource pop
            end
            end
            """
    }()

    static func stream(_ content: String) -> String {
        let bytes = Data(content.utf8)
        return "<< /Length \(bytes.count) >>\nstream\n\(content)\nendstream"
    }

    /// A line of text at (x, y) in points from the page's bottom left.
    static func text(_ string: String, x: Double, y: Double, size: Double) -> String {
        "BT /F1 \(number(size)) Tf \(number(x)) \(number(y)) Td <\(hex(string))> Tj ET\n"
    }

    /// The string as UCS-2 big-endian hex (anything past the BMP as `?`).
    static func hex(_ string: String) -> String {
        string.unicodeScalars.map { scalar in
            String(format: "%04X", scalar.value <= 0xFFFF && !(0xD800...0xDFFF).contains(scalar.value) ? scalar.value : 0x3F)
        }.joined()
    }

    /// A string's width in ems: half for ASCII, whole for the rest.
    static func width(_ string: String) -> Double {
        string.unicodeScalars.reduce(0) { $0 + ($1.value < 0x80 ? 0.5 : 1) }
    }

    /// The longest start of `string` at most `ems` wide.
    static func prefix(_ string: String, ems: Double) -> String {
        var result = String.UnicodeScalarView()
        var used = 0.0
        for scalar in string.unicodeScalars {
            let next = scalar.value < 0x80 ? 0.5 : 1
            guard used + next <= ems else { break }
            result.append(scalar)
            used += next
        }
        return String(result)
    }

    /// `string` cut to at most `ems` wide, ending with `…` when cut.
    static func fitted(_ string: String, ems: Double) -> String {
        width(string) <= ems ? string : prefix(string, ems: ems - 1) + "…"
    }

    /// A paragraph's lines, wrapped at `ems` (a word longer than a line, a hash or a run of
    /// Chinese, is cut where the line ends).
    static func wrapped(_ string: String, ems: Double) -> [String] {
        var lines: [String] = []
        for paragraph in string.components(separatedBy: "\n") {
            var line = ""
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
                let candidate = line.isEmpty ? word : line + " " + word
                if width(candidate) <= ems || line.isEmpty {
                    line = candidate
                } else {
                    lines.append(line)
                    line = word
                }
                while width(line) > ems {
                    let head = prefix(line, ems: ems)
                    lines.append(head)
                    line = String(String.UnicodeScalarView(line.unicodeScalars.dropFirst(head.unicodeScalars.count)))
                }
            }
            lines.append(line)
        }
        return lines
    }

    /// The blocks as pages of content-stream operators.
    static func layout(_ blocks: [Block]) -> [String] {
        var pages: [String] = []
        var page = ""
        var y = pageHeight - margin
        let ems = (pageWidth - 2 * margin) / bodySize
        func advance(_ height: Double) {
            if y - height < margin {
                pages.append(page)
                page = ""
                y = pageHeight - margin
            }
            y -= height
        }
        for block in blocks {
            switch block {
            case .title(let string):
                advance(titleSize * 1.6)
                page += text(fitted(string, ems: (pageWidth - 2 * margin) / titleSize), x: margin, y: y, size: titleSize)
            case .heading(let string):
                advance(headingSize * 2)
                page += text(fitted(string, ems: (pageWidth - 2 * margin) / headingSize), x: margin, y: y, size: headingSize)
            case .paragraph(let string):
                for line in wrapped(string, ems: ems) {
                    advance(bodySize * 1.45)
                    page += text(line, x: margin, y: y, size: bodySize)
                }
                advance(bodySize * 0.5)
            case .table(let rows):
                guard let columns = rows.map(\.count).max(), columns > 0 else { continue }
                var widths = (0..<columns).map { column in rows.map { $0.indices.contains(column) ? width($0[column]) : 0 }.max() ?? 0 }
                // Too wide: the widest columns give way first, down to a share of the line.
                let gap = 1.5
                while widths.reduce(0, +) + gap * Double(columns - 1) > ems, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }),
                    widths[widest] > 4
                {
                    widths[widest] -= 1
                }
                for (index, row) in rows.enumerated() {
                    advance(bodySize * 1.45)
                    var x = margin
                    for column in 0..<columns {
                        let cell = row.indices.contains(column) ? row[column] : ""
                        page += text(fitted(cell, ems: widths[column]), x: x, y: y, size: bodySize)
                        x += (widths[column] + gap) * bodySize
                    }
                    if index == 0 {
                        // A rule under the header.
                        page += "0.6 w \(number(margin)) \(number(y - 3)) m \(number(pageWidth - margin)) \(number(y - 3)) l S\n"
                    }
                }
                advance(bodySize)
            }
        }
        pages.append(page)
        return pages
    }

    static func number(_ value: Double) -> String { String(format: "%.2f", value) }
}
