import Foundation
import Testing

@testable import GatehouseCore

@Suite struct PunycodeTests {
    @Test(arguments: [
        ("例子", "fsqu00a"), ("测试", "0zwm56d"), ("中国", "fiqs8s"), ("bücher", "bcher-kva"), ("münchen", "mnchen-3ya"),
        ("café", "caf-dma"), ("ü", "tda"),
        // RFC 3492 section 7.1 (A) Arabic (Egyptian), (B) Chinese (simplified)
        (
            "\u{0644}\u{064A}\u{0647}\u{0645}\u{0627}\u{0628}\u{062A}\u{0643}\u{0644}\u{0645}\u{0648}\u{0634}\u{0639}\u{0631}\u{0628}\u{064A}\u{061F}",
            "egbpdaj6bu4bxfgehfvwxn"
        ),
        ("\u{4ED6}\u{4EEC}\u{4E3A}\u{4EC0}\u{4E48}\u{4E0D}\u{8BF4}\u{4E2D}\u{6587}", "ihqwcrb4cv8a8dqg056pqjye"),
    ])
    func encodesAsRFC3492Says(_ label: String, _ encoded: String) {
        #expect(Punycode.encode(label.unicodeScalars.map(\.value)).map { String(decoding: $0, as: UTF8.self) } == encoded)
    }
}
