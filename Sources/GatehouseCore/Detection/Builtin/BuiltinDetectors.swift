/// The detectors a config names in `detect: [...]`, by those names.
///
/// The config loader resolves every name through `named(_:)`; a name it does not know is a config
/// error there (fail closed: a misspelt detector must not silently detect nothing). The rules of
/// each detector are documented on its type.
public enum BuiltinDetectors {
    /// Every built-in detector name, in the order the reference config lists them.
    public static let names: [String] = [
        "cn_resident_id", "cn_mobile", "bank_card", "uscc", "iban", "email", "ipv4_private", "private_key", "api_token",
    ]

    /// The detector called `name`, or nil when there is none.
    public static func named(_ name: String) -> (any Detector)? {
        switch name {
        case "cn_resident_id": CNResidentIDDetector()
        case "cn_mobile": CNMobileDetector()
        case "bank_card": BankCardDetector()
        case "uscc": USCCDetector()
        case "iban": IBANDetector()
        case "email": EmailDetector()
        case "ipv4_private": PrivateIPv4Detector()
        case "private_key": PrivateKeyDetector()
        case "api_token": APITokenDetector()
        default: nil
        }
    }
}
