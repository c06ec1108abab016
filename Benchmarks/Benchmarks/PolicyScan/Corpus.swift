/// A deterministic corpus of chat messages: mixed Chinese and English prose, 100 B – 4 KB each,
/// about 5 % carrying one piece of personal data (a valid mobile number, identity number, bank
/// card or e-mail address).
struct Corpus {
    let texts: [String]
    var bytes: Int { texts.reduce(0) { $0 + $1.utf8.count } }

    static let hanzi = Array(
        "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
    )
    static let words = [
        "the", "meeting", "quarter", "results", "customer", "order", "please", "review", "launch", "team",
        "report", "update", "market", "product", "service", "support", "thanks", "schedule", "budget", "plan",
        "delivery", "invoice", "partner", "contract", "office", "weekly", "announcement", "release", "feedback", "today",
    ]

    init(messages: Int, seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var texts: [String] = []
        for index in 0..<messages {
            let target = 100 + Int(random.next() % 3_900)
            var text = ""
            while text.utf8.count < target {
                if random.next() % 2 == 0 {
                    for _ in 0..<(4 + Int(random.next() % 20)) { text.append(Self.hanzi[Int(random.next() % UInt64(Self.hanzi.count))]) }
                    text += random.next() % 3 == 0 ? "。" : "，"
                } else {
                    for _ in 0..<(3 + Int(random.next() % 10)) { text += Self.words[Int(random.next() % UInt64(Self.words.count))] + " " }
                    if random.next() % 4 == 0 { text += "order #\(random.next() % 1_000_000_000) " }
                }
            }
            if index % 20 == 7 {  // 5 %: one piece of personal data, somewhere in the middle
                let pii = Self.pii(&random)
                let cut = text.index(text.startIndex, offsetBy: text.count / 2)
                text.insert(contentsOf: " \(pii) ", at: cut)
            }
            texts.append(text)
        }
        self.texts = texts
    }

    /// 1,000 keywords: half Chinese (2–4 characters), half English (5–10 letters), mostly absent
    /// from the corpus, as real keyword lists are.
    static func keywords(count: Int, seed: UInt64) -> [String] {
        var random = SplitMix64(seed: seed)
        var result: Set<String> = []
        while result.count < count {
            if result.count % 2 == 0 {
                result.insert(String((0..<(2 + Int(random.next() % 3))).map { _ in hanzi[Int(random.next() % UInt64(hanzi.count))] }))
            } else {
                let letters = Array("abcdefghijklmnopqrstuvwxyz")
                result.insert(String((0..<(5 + Int(random.next() % 6))).map { _ in letters[Int(random.next() % 26)] }))
            }
        }
        return result.sorted()
    }

    private static func pii(_ random: inout SplitMix64) -> String {
        switch random.next() % 4 {
        case 0: return "电话 138\(String(format: "%08d", Int(random.next() % 100_000_000)))"
        case 1: return "mail li.wei\(random.next() % 1000)@example.cn"
        case 2:
            let body = "11010519" + String(format: "%02d", 50 + Int(random.next() % 40)) + "0615" + String(format: "%03d", Int(random.next() % 1000))
            return "身份证 " + body + residentIDCheck(body)
        default:
            let body = "62220200" + String(format: "%07d", Int(random.next() % 10_000_000))
            return "卡号 " + body + luhnCheck(body)
        }
    }

    static func residentIDCheck(_ body: String) -> String {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body.compactMap(\.wholeNumberValue), weights).reduce(0) { $0 + $1.0 * $1.1 }
        return String(Array("10X98765432")[sum % 11])
    }

    static func luhnCheck(_ body: String) -> String {
        var sum = 0
        for (position, digit) in body.compactMap(\.wholeNumberValue).reversed().enumerated() {
            let value = position % 2 == 0 ? digit * 2 : digit
            sum += value > 9 ? value - 9 : value
        }
        return String((10 - sum % 10) % 10)
    }
}

/// A small, fast, deterministic generator (so the corpus is the same on every run).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
