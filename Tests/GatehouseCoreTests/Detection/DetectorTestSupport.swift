import GatehouseCore

/// Check digits computed from the standards, so test numbers are built from bases rather than copied
/// from examples (several widely published example ID numbers fail their own check digit).
enum CheckDigits {
    /// GB 11643 / ISO 7064 MOD 11-2 check character of 17 digits.
    static func residentID(_ base: String) -> Character {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(base, weights).reduce(0) { $0 + $1.0.wholeNumberValue! * $1.1 }
        return Array("10X98765432")[sum % 11]
    }

    /// The 18-character resident ID for `base` (17 digits).
    static func residentID(base: String) -> String { base + String(residentID(base)) }

    /// The Luhn check digit that completes `base`.
    static func luhn(_ base: String) -> Character {
        var sum = 0
        for (index, character) in base.reversed().enumerated() {
            var digit = character.wholeNumberValue!
            if index % 2 == 0 {
                digit *= 2
                if digit > 9 { digit -= 9 }
            }
            sum += digit
        }
        return Character(String((10 - sum % 10) % 10))
    }

    static func isLuhnValid(_ number: String) -> Bool {
        luhn(String(number.dropLast())) == number.last
    }

    /// `base` completed with its Luhn digit.
    static func card(base: String) -> String { base + String(luhn(base)) }

    static let usccCharset = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")

    /// GB 32100 check character of 17 characters.
    static func uscc(_ base: String) -> Character {
        var sum = 0
        var weight = 1
        for character in base {
            sum += usccCharset.firstIndex(of: character)! * weight
            weight = weight * 3 % 31
        }
        return usccCharset[(31 - sum % 31) % 31]
    }

    static func uscc(base: String) -> String { base + String(uscc(base)) }

    /// ISO 13616 check digits for a country and BBAN.
    static func ibanCheckDigits(country: String, bban: String) -> Int {
        98 - mod97(bban + country + "00")
    }

    /// The electronic-format IBAN for a country and BBAN.
    static func iban(country: String, bban: String) -> String {
        let check = ibanCheckDigits(country: country, bban: bban)
        return country + (check < 10 ? "0" : "") + String(check) + bban
    }

    static func mod97(_ text: String) -> Int {
        var remainder = 0
        for character in text {
            if let digit = character.wholeNumberValue {
                remainder = (remainder * 10 + digit) % 97
            } else {
                remainder = (remainder * 100 + Int(character.asciiValue! - 55)) % 97
            }
        }
        return remainder
    }

    /// The IBAN in print format: groups of four separated by spaces.
    static func printFormat(_ iban: String) -> String {
        var groups: [String] = []
        var rest = Substring(iban)
        while !rest.isEmpty {
            groups.append(String(rest.prefix(4)))
            rest = rest.dropFirst(4)
        }
        return groups.joined(separator: " ")
    }
}

extension Detector {
    /// The matched substrings, in order.
    func found(in text: String) -> [String] {
        let bytes = Array(text.utf8)
        return matches(in: text).map { String(decoding: bytes[$0], as: UTF8.self) }
    }
}

/// The byte range of the first occurrence of `needle` in `text`'s UTF-8.
func byteRange(of needle: String, in text: String) -> Range<Int>? {
    let haystack = Array(text.utf8)
    let pattern = Array(needle.utf8)
    guard !pattern.isEmpty, pattern.count <= haystack.count else { return nil }
    for start in 0...(haystack.count - pattern.count) where Array(haystack[start..<(start + pattern.count)]) == pattern {
        return start..<(start + pattern.count)
    }
    return nil
}

/// One digit changed: the digit at `index` replaced by the next one (mod 10).
func changingDigit(at index: Int, of number: String) -> String {
    var characters = Array(number)
    characters[index] = Character(String((characters[index].wholeNumberValue! + 1) % 10))
    return String(characters)
}
