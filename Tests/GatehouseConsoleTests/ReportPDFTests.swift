import Foundation
import Testing

@testable import GatehouseConsole

/// The period report's PDF writer: a well-formed file (every object where the cross-reference
/// table says), text that reads back as written, Chinese included, and long content over pages.
@Suite struct ReportPDFTests {
    /// The texts the document's pages show, decoded from their UCS-2 strings, in order.
    static func texts(_ pdf: Data) -> [String] {
        let source = String(decoding: pdf, as: UTF8.self)
        return source.components(separatedBy: "> Tj").dropLast().compactMap { part in
            guard let start = part.range(of: "<", options: .backwards) else { return nil }
            let hex = Array(part[start.upperBound...])
            var scalars = String.UnicodeScalarView()
            for index in stride(from: 0, to: hex.count - 3, by: 4) {
                guard let value = UInt32(String(hex[index..<index + 4]), radix: 16), let scalar = Unicode.Scalar(value) else { return nil }
                scalars.append(scalar)
            }
            return String(scalars)
        }
    }

    @Test func theFileIsWellFormedAndItsTextReadsBack() throws {
        let pdf = ReportPDF.document(
            [
                .title("Gatehouse period report"), .paragraph("Crossings from 第三季度 announcements 📢."),
                .table([["route", "forward", "all"], ["announcements", "12", "12"], ["客服", "3", "3"]]),
            ],
            footer: "footer"
        )
        let text = String(decoding: pdf, as: UTF8.self)
        #expect(text.hasPrefix("%PDF-1.7\n") && text.hasSuffix("%%EOF\n"))
        // The cross-reference table: object N starts at the offset its line gives.
        let xrefStart = try #require(Int(text.components(separatedBy: "startxref\n")[1].prefix { $0.isNumber }))
        let xref = String(decoding: pdf[xrefStart...], as: UTF8.self).components(separatedBy: "\n")
        #expect(xref[0] == "xref")
        let count = try #require(Int(xref[1].split(separator: " ")[1]))
        for object in 1..<count {
            let offset = try #require(Int(xref[2 + object].prefix(10)))
            #expect(String(decoding: pdf[offset..<offset + 12], as: UTF8.self).hasPrefix("\(object) 0 obj"))
        }
        let lines = Self.texts(pdf)
        #expect(lines.contains("Gatehouse period report"))
        #expect(lines.contains("Crossings from 第三季度 announcements ?."))
        #expect(lines.contains("客服") && lines.contains("announcements"))
        #expect(text.contains("/BaseFont /STSong-Light /Encoding /UniGB-UCS2-H") && text.contains("/ToUnicode 6 0 R"))
        // The ToUnicode map: 256 ranges, each 256 codes to the same characters, in blocks of 100.
        #expect(text.contains("100 beginbfrange\n<0000> <00FF> <0000>\n<0100> <01FF> <0100>\n"))
        #expect(text.contains("56 beginbfrange\n<C800> <C8FF> <C800>\n") && text.contains("<FF00> <FFFF> <FF00>\nendbfrange\nendcmap"))
    }

    @Test func longContentGoesOnOverPagesAndNoLineIsWiderThanThePage() throws {
        let rows = [["time", "reason"]] + (1...200).map { ["2026-11-\($0 % 28 + 1)", String(repeating: "很长的理由 long reason ", count: 8)] }
        let pdf = ReportPDF.document([.title("Long"), .table(rows), .paragraph(String(repeating: "字", count: 500))], footer: "f")
        let text = String(decoding: pdf, as: UTF8.self)
        let pages = text.components(separatedBy: "/Type /Page ").count - 1
        #expect(pages >= 4)
        #expect(text.contains("/Count \(pages)"))
        let width = (ReportPDF.pageWidth - 2 * ReportPDF.margin) / ReportPDF.bodySize
        for line in Self.texts(pdf) where !line.hasPrefix("f — ") {
            #expect(ReportPDF.width(line) <= width + 0.001, "\(line)")
        }
        #expect(ReportPDF.wrapped(String(repeating: "字", count: 500), ems: width).joined() == String(repeating: "字", count: 500))
    }
}
