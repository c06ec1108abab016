import Foundation
import Testing

@testable import GatehouseCore

@Suite struct PublicSuffixListTests {
    static let list = PublicSuffixList(
        parsing: """
            // comments and blank lines are skipped

            com
            uk
            co.uk
            *.ck
            !www.ck
            github.io
            io
            中国
            an entry with trailing words
            """
    )

    @Test(arguments: [
        ("evil.com", true), ("login.evil.com", true), ("com", false), ("evil.co.uk", true), ("co.uk", false),
        ("a.co.uk", true), ("x.ck", false), ("a.x.ck", true), ("www.ck", true), ("ck", false),
        ("me.github.io", true), ("github.io", false), ("evil.io", true), ("例子.中国", false),
        ("xn--fsqu00a.xn--fiqs8s", true), ("file.txt", false), ("e.g", false), ("evil.example", false), ("an", false),
    ])
    func tellsRegistrableNamesFromSuffixesAndWords(_ host: String, _ isDomain: Bool) {
        #expect(Self.list.isDomain(Array(host.utf8)) == isDomain)
    }

    @Test func suffixLabels() {
        #expect(Self.list.suffixLabels(of: Array("a.b.co.uk".utf8)) == 2)
        #expect(Self.list.suffixLabels(of: Array("a.b.c.ck".utf8)) == 2)
        #expect(Self.list.suffixLabels(of: Array("a.www.ck".utf8)) == 1)
        #expect(Self.list.suffixLabels(of: Array("a.b.test".utf8)) == nil)
        #expect(Self.list.count == 9)
    }

    @Test func withoutAListTheLastLabelDecides() {
        for (host, expected) in [
            ("evil.example", true), ("file.txt", true), ("v1.2", false), ("e.g", false), ("x.xn--fiqs8s", true), ("a.b1", false), ("com", false),
        ] {
            #expect(PublicSuffixList.looksLikeDomain(Array(host.utf8)) == expected, "\(host)")
        }
    }

    /// The system's list, where the publicsuffix package is installed (CI installs it).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/publicsuffix/public_suffix_list.dat")))
    func readsTheSystemList() throws {
        let text = try String(contentsOfFile: "/usr/share/publicsuffix/public_suffix_list.dat", encoding: .utf8)
        let list = PublicSuffixList(parsing: text)
        #expect(list.count > 5_000)
        for host in ["evil.com", "login.evil.co.uk", "a.b.ck", "www.ck", "x.blogspot.com", "xn--fsqu00a.xn--fiqs8s", "evil.app"] {
            #expect(list.isDomain(Array(host.utf8)), "\(host)")
        }
        for host in ["file.txt", "e.g", "a.m", "co.uk", "evil.example", "report.pdf", "v1.2"] {
            #expect(!list.isDomain(Array(host.utf8)), "\(host)")
        }
    }
}
