/// Letters of other scripts that pass for Latin ones, and the Latin letter each passes for: the
/// keyword skeleton's look-alike fold (`KeywordNormalization.classify`).
///
/// Unicode's confusables data (UTS #39 `confusables.txt`) is not shipped with the toolchain; this is
/// a hand-made subset for the scripts attackers mix into Latin words, applied after lowercasing,
/// so a letter is listed by its lowercase form and stands for its capital too (Cyrillic `н` is
/// listed for `Н`, which passes for `H`):
/// - Cyrillic: а в е к м н о р с т у х і ј ѕ ԁ ԛ ԝ һ ӏ (and their capitals);
/// - Greek: α β ε ζ η ι κ μ ν ο ρ τ υ χ ϲ ϳ (and their capitals);
/// - Armenian: օ ս ց հ ո զ;
/// - Latin letters that look like others: ı (dotless i), ɑ, ɡ (script g), ʏ.
/// Full-width letters, mathematical alphanumerics and other compatibility forms are folded before
/// this, by NFKC. Not covered: Cherokee, Coptic, Lisu and other scripts with Latin look-alikes,
/// letters with diacritics (é is not e), multi-letter look-alikes (`rn` for `m`), and digits (0 is
/// never O, 1 never l: a digit and a letter are different things in a number or a code).
enum Confusables {
    /// The Latin letter `value` (a lowercase scalar) passes for, or nil.
    static func latin(_ value: UInt32) -> UInt32? {
        switch value {
        // Cyrillic
        case 0x0430: 0x61  // а a
        case 0x0432: 0x62  // в (В) b
        case 0x0435: 0x65  // е e
        case 0x043A: 0x6B  // к (К) k
        case 0x043C: 0x6D  // м (М) m
        case 0x043D: 0x68  // н (Н) h
        case 0x043E: 0x6F  // о o
        case 0x0440: 0x70  // р p
        case 0x0441: 0x63  // с c
        case 0x0442: 0x74  // т (Т) t
        case 0x0443: 0x79  // у y
        case 0x0445: 0x78  // х x
        case 0x0456: 0x69  // і i
        case 0x0458: 0x6A  // ј j
        case 0x0455: 0x73  // ѕ s
        case 0x0501: 0x64  // ԁ d
        case 0x051B: 0x71  // ԛ q
        case 0x051D: 0x77  // ԝ w
        case 0x04BB: 0x68  // һ h
        case 0x04CF: 0x6C  // ӏ (Ӏ) l
        // Greek
        case 0x03B1: 0x61  // α a
        case 0x03B2: 0x62  // β (Β) b
        case 0x03B5: 0x65  // ε (Ε) e
        case 0x03B6: 0x7A  // ζ (Ζ) z
        case 0x03B7: 0x68  // η (Η) h
        case 0x03B9: 0x69  // ι (Ι) i
        case 0x03BA: 0x6B  // κ (Κ) k
        case 0x03BC: 0x6D  // μ (Μ) m
        case 0x03BD: 0x6E  // ν (Ν) n
        case 0x03BF: 0x6F  // ο o
        case 0x03C1: 0x70  // ρ p
        case 0x03C4: 0x74  // τ (Τ) t
        case 0x03C5: 0x79  // υ (Υ) y
        case 0x03C7: 0x78  // χ x
        case 0x03F2, 0x03F9: 0x63  // ϲ Ϲ c (lunate sigma: before NFKC, which makes it σ)
        case 0x03F3: 0x6A  // ϳ j
        // Armenian
        case 0x0585: 0x6F  // օ o
        case 0x057D: 0x75  // ս u
        case 0x0581: 0x67  // ց g
        case 0x0570: 0x68  // հ h
        case 0x0578: 0x6E  // ո n
        case 0x0566: 0x71  // զ q
        // Latin look-alikes of other Latin letters
        case 0x0131: 0x69  // ı i
        case 0x0251: 0x61  // ɑ a
        case 0x0261: 0x67  // ɡ g
        case 0x028F: 0x79  // ʏ y
        default: nil
        }
    }
}
