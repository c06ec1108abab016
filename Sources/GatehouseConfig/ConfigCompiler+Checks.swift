import Foundation
import GatehouseCore
import Yams

extension ConfigCompiler {
    static let checkKeys = ["detect", "keywords", "keyword_files", "regex", "links", "attachments", "outside", "size", "senders", "labels", "kinds"]

    func compileChecks(_ node: Node) -> Declared<Check> {
        var checks = Declared<Check>()
        for (name, key, value) in reader.namedEntries(node, "checks") {
            checks.declare(name, at: key, in: reader)
            let what = "check '\(name)'"
            guard let fields = reader.fields(value, what, allowed: Self.checkKeys) else { continue }
            guard !fields.entries.isEmpty else {
                reader.error(at: value, "\(what) checks nothing; give it one of \(Self.checkKeys.joined(separator: ", "))")
                continue
            }
            var check = Check(name: name)
            var complete = true
            func add(_ detector: (any Detector)?) {
                if let detector { check.detectors.append(detector) } else { complete = false }
            }
            func add(_ detector: (any MessageDetector)?) {
                if let detector { check.messageDetectors.append(detector) } else { complete = false }
            }
            if let node = fields["detect"] {
                for (detector, item) in reader.stringList(node, "\(what): detect") {
                    guard let builtin = BuiltinDetectors.named(detector) else {
                        reader.error(
                            at: item,
                            "\(what): unknown detector '\(detector)'\(reader.suggestion(for: detector, among: BuiltinDetectors.names)); known: \(BuiltinDetectors.names.joined(separator: ", "))"
                        )
                        complete = false
                        continue
                    }
                    check.detectors.append(builtin)
                }
            }
            if fields["keywords"] != nil || fields["keyword_files"] != nil {
                add(keywords(fields, what))
            }
            if let node = fields["regex"] {
                let patterns = reader.stringList(node, "\(what): regex")
                // Senders choose the texts: a pattern that backtracks exponentially is stopped
                // at its time budget and holds every message it ran out of time on.
                for (pattern, item) in patterns where RegexSet.hasNestedQuantifier(pattern) {
                    reader.warning(
                        at: item,
                        "\(what): regex '\(pattern)' nests a quantifier inside a quantified group, which can take exponential time on a crafted message; a scan is stopped after \(RegexSet.defaultBudget) and the message held (regex_timeout)"
                    )
                }
                do {
                    check.detectors.append(try RegexSet(patterns: patterns.map(\.0)))
                } catch {
                    reader.error(at: patterns[error.index].1, "\(what): \(error.message)")
                    complete = false
                }
            }
            if let node = fields["links"] { add(links(node, what)) }
            if let node = fields["attachments"] { add(attachments(node, what)) }
            if let node = fields["outside"] { add(timeWindow(node, what)) }
            if let node = fields["size"] { add(sizeRule(node, what)) }
            if let node = fields["senders"] { add(senders(node, what)) }
            if let node = fields["kinds"] { add(kinds(node, what)) }
            if let node = fields["labels"] {
                let labels = reader.stringList(node, "\(what): labels").map(\.0).filter { !$0.isEmpty }
                if labels.isEmpty {
                    reader.error(at: node, "\(what): labels must name at least one label (announcement, confidential, direct, bot)")
                    complete = false
                } else {
                    check.messageDetectors.append(LabelDetector(labels: Set(labels)))
                }
            }
            if complete { checks.valid[name] = check }
        }
        return checks
    }

    /// `keywords: [...]` and `keyword_files: [...]` (one keyword a line; `#` starts a comment line).
    private func keywords(_ fields: Fields, _ what: String) -> (any Detector)? {
        var keywords: [String] = []
        // Where each keyword came from, to point an error at it.
        var origins: [(node: Node, detail: String)] = []
        if let node = fields["keywords"] {
            for (keyword, item) in reader.stringList(node, "\(what): keywords") {
                keywords.append(keyword)
                origins.append((item, "keyword"))
            }
        }
        if let node = fields["keyword_files"] {
            for (path, item) in reader.stringList(node, "\(what): keyword_files") {
                let resolved = resolve(path)
                guard let data = reader.readRuleFile(resolved), let text = String(data: data, encoding: .utf8) else {
                    reader.error(at: item, "\(what): cannot read keyword file '\(resolved)'")
                    return nil
                }
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let keyword = line.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
                    guard !keyword.isEmpty, !keyword.hasPrefix("#") else { continue }
                    keywords.append(keyword)
                    origins.append((item, "line \(number + 1) of '\(resolved)'"))
                }
            }
        }
        guard !keywords.isEmpty else {
            reader.error(at: fields.node, "\(what): keywords and keyword_files name no keyword")
            return nil
        }
        do {
            return try KeywordMatcher(keywords: keywords)
        } catch {
            let (node, detail) = origins.indices.contains(error.index) ? origins[error.index] : (fields.node, "keyword")
            reader.error(at: node, "\(what): \(detail): \(error.message)")
            return nil
        }
    }

    /// `links: { allow: [...], deny: [...], schemes: [...], public_suffix_list: PATH }`.
    private func links(_ node: Node, _ what: String) -> (any Detector)? {
        guard let fields = reader.fields(node, "\(what): links", allowed: ["allow", "deny", "schemes", "public_suffix_list"]) else { return nil }
        let allow = fields["allow"].map { reader.stringList($0, "\(what): links: allow").map(\.0) } ?? []
        let deny = fields["deny"].map { reader.stringList($0, "\(what): links: deny").map(\.0) } ?? []
        let schemes = fields["schemes"].map { reader.stringList($0, "\(what): links: schemes").map(\.0) } ?? LinkDetector.defaultSchemes
        let suffixes = publicSuffixes(fields["public_suffix_list"], what)
        guard suffixes.valid else { return nil }
        do {
            return try LinkDetector(allow: allow, deny: deny, schemes: schemes, publicSuffixes: suffixes.list)
        } catch {
            reader.error(at: node, "\(what): links: \(error)")
            return nil
        }
    }

    /// `kinds: [sticker, poll, location, contact]`: what a message is, by the names of ``ContentKind``.
    private func kinds(_ node: Node, _ what: String) -> (any MessageDetector)? {
        var kinds: Set<ContentKind> = []
        var complete = true
        for (name, item) in reader.stringList(node, "\(what): kinds") {
            guard let kind = ContentKind(named: name) else {
                reader.error(
                    at: item,
                    "\(what): kinds: unknown kind '\(name)'\(reader.suggestion(for: name, among: ContentKind.names)); known: \(ContentKind.names.joined(separator: ", "))"
                )
                complete = false
                continue
            }
            kinds.insert(kind)
        }
        guard complete else { return nil }
        guard !kinds.isEmpty else {
            reader.error(at: node, "\(what): kinds must name at least one kind (\(ContentKind.names.joined(separator: ", ")))")
            return nil
        }
        return KindDetector(kinds: kinds)
    }

    /// `attachments: { max_bytes: 10MB, types: [pdf, png, image/*] }`.
    private func attachments(_ node: Node, _ what: String) -> (any MessageDetector)? {
        guard let fields = reader.fields(node, "\(what): attachments", allowed: ["max_bytes", "types"]) else { return nil }
        let maxBytes = fields["max_bytes"].map { byteSize($0, "\(what): attachments: max_bytes") }
        if case .some(nil) = maxBytes { return nil }
        // An absent `types` allows any type; an empty list allows none (every attachment fires).
        let types = fields["types"].map { node -> Set<String> in
            node.sequence?.isEmpty == true
                ? []
                : Set(
                    reader.stringList(node, "\(what): attachments: types").map {
                        $0.0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
                    }
                )
        }
        return AttachmentDetector(types: types, maxBytes: maxBytes ?? nil)
    }

    /// `size: { max_bytes: 4KB, max_chars: 2000 }`.
    private func sizeRule(_ node: Node, _ what: String) -> (any MessageDetector)? {
        guard let fields = reader.fields(node, "\(what): size", allowed: ["max_bytes", "max_chars"]) else { return nil }
        guard fields["max_bytes"] != nil || fields["max_chars"] != nil else {
            reader.error(at: node, "\(what): size needs max_bytes or max_chars")
            return nil
        }
        let maxBytes = fields["max_bytes"].map { byteSize($0, "\(what): size: max_bytes") }
        let maxChars = fields["max_chars"].map { reader.integer($0, "\(what): size: max_chars").map(Int.init) }
        if case .some(nil) = maxBytes { return nil }
        if case .some(nil) = maxChars { return nil }
        return SizeDetector(maxBytes: maxBytes ?? nil, maxCharacters: maxChars ?? nil)
    }

    /// `senders: { allow: [ids], deny: [ids], allow_departments: [names], deny_departments: [names] }`
    /// (departments as the platform's directory names them).
    private func senders(_ node: Node, _ what: String) -> (any MessageDetector)? {
        let keys = ["allow", "deny", "allow_departments", "deny_departments"]
        guard let fields = reader.fields(node, "\(what): senders", allowed: keys) else { return nil }
        func list(_ key: String) -> Set<String> {
            Set(fields[key].map { reader.stringList($0, "\(what): senders: \(key)").map(\.0) } ?? [])
        }
        return SenderDetector(
            allow: list("allow"),
            deny: list("deny"),
            allowDepartments: list("allow_departments"),
            denyDepartments: list("deny_departments")
        )
    }

    /// `outside: { days: mon-fri, hours: "09:00-18:00", tz: Asia/Shanghai }`: fires outside the window.
    func timeWindow(_ node: Node, _ what: String) -> (any MessageDetector)? {
        guard let fields = reader.fields(node, "\(what): outside", allowed: ["days", "hours", "tz"]) else { return nil }
        var days: Set<Int>? = Set(1...7)
        if let node = fields["days"] { days = self.days(node, "\(what): outside: days") }
        var hours: (Int, Int)? = (0, 24 * 60)
        if let node = fields["hours"] { hours = self.hours(node, "\(what): outside: hours") }
        var zone: TimeZone? = TimeZone(identifier: "UTC")
        if let node = fields["tz"], let name = reader.nonEmptyString(node, "\(what): outside: tz") {
            zone = TimeZone(identifier: name)
            if zone == nil { reader.error(at: node, "\(what): outside: unknown time zone '\(name)' (use an IANA name such as Asia/Shanghai)") }
        }
        guard let days, let hours, let zone else { return nil }
        return TimeWindowDetector(days: days, start: hours.0, end: hours.1, timeZone: zone)
    }

    private static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// `mon-fri`, `sat,sun`, `fri-mon` (wraps), or a list of those.
    private func days(_ node: Node, _ what: String) -> Set<Int>? {
        var days: Set<Int> = []
        for (text, item) in reader.stringList(node, what) {
            for part in text.lowercased().split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                let ends = part.split(separator: "-").map(String.init)
                let numbers = ends.map { Self.dayNames.firstIndex(of: String($0.prefix(3))).map { $0 + 1 } }
                guard (1...2).contains(ends.count), numbers.allSatisfy({ $0 != nil }), let first = numbers.first ?? nil else {
                    reader.error(at: item, "\(what) must be day names like mon-fri or sat,sun, found '\(text)'")
                    return nil
                }
                var day = first
                let last = numbers.last.flatMap { $0 } ?? first
                days.insert(day)
                while day != last {
                    day = day % 7 + 1
                    days.insert(day)
                }
            }
        }
        return days
    }

    /// `09:00-18:00`; `22:00-06:00` wraps past midnight; `24:00` is the end of the day.
    private func hours(_ node: Node, _ what: String) -> (Int, Int)? {
        guard let text = reader.string(node, what) else { return nil }
        let ends = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        let minutes = ends.map { end -> Int? in
            let parts = end.split(separator: ":")
            guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
                (0...24).contains(hour), (0..<60).contains(minute), hour * 60 + minute <= 24 * 60
            else { return nil }
            return hour * 60 + minute
        }
        guard ends.count == 2, let start = minutes[0], let end = minutes[1], start != end else {
            reader.error(at: node, "\(what) must be HH:MM-HH:MM with different ends, found '\(text)'")
            return nil
        }
        return (start, end)
    }

    /// `10MB`, `512KB`, `2GB`, `4096` (bytes); KB/MB/GB are binary (KiB/MiB/GiB), as file sizes are.
    func byteSize(_ node: Node, _ what: String) -> Int? {
        guard let text = reader.string(node, what)?.trimmingCharacters(in: .whitespaces).uppercased() else { return nil }
        let units: [(String, Int)] = [
            ("KIB", 1 << 10), ("MIB", 1 << 20), ("GIB", 1 << 30), ("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30), ("B", 1),
        ]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let count = Int(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), count >= 0 {
                let (bytes, overflow) = count.multipliedReportingOverflow(by: scale)
                if !overflow { return bytes }
                reader.error(at: node, "\(what) is too large, found '\(text)'")
                return nil
            }
        }
        if let count = Int(text), count >= 0 { return count }
        reader.error(at: node, "\(what) must be a size like 4096, 512KB or 10MB, found '\(text)'")
        return nil
    }
}
