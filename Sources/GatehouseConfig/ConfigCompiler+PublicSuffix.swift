import Foundation
import GatehouseCore
import Yams

extension ConfigCompiler {
    /// Where Debian's `publicsuffix` package keeps the Public Suffix List up to date.
    static let defaultPublicSuffixList = "/usr/share/publicsuffix/public_suffix_list.dat"

    /// The Public Suffix List a link check tells bare domains by: `links: { public_suffix_list: PATH }`,
    /// else the system's list.
    ///
    /// A list named in the config that cannot be read is an error. The system's list missing is a
    /// warning: the check then takes any dotted name whose last label is two or more letters (or
    /// `xn--…`) for a domain — more words are links, none is missed — so a missing package neither
    /// lets bare links through nor stops the gateway. `valid` is false after an error.
    func publicSuffixes(_ node: Node?, _ what: String) -> (list: PublicSuffixList?, valid: Bool) {
        let key = "\(what): links: public_suffix_list"
        var path = Self.defaultPublicSuffixList
        if let node {
            guard let value = reader.nonEmptyString(node, key) else { return (nil, false) }
            path = resolve(value)
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            if let node {
                reader.error(at: node, "\(key): cannot read the Public Suffix List '\(path)'")
                return (nil, false)
            }
            reader.warning(
                at: nil,
                "\(what): links: no Public Suffix List at '\(path)' (install the publicsuffix package, or name one with public_suffix_list); bare domains are recognised by their last label alone, which takes words such as file.txt for links"
            )
            return (nil, true)
        }
        let list = PublicSuffixList(parsing: text)
        guard list.count > 0 else {
            reader.error(at: node, "\(key): '\(path)' holds no public suffix rules")
            return (nil, false)
        }
        return (list, true)
    }
}
