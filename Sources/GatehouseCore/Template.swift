/// A route's output template: literal text with `{variable}` placeholders, parsed once at load.
///
/// `{{` and `}}` stand for literal braces.
public struct Template: Sendable, Hashable {
    /// One piece of a parsed template.
    public enum Segment: Sendable, Hashable {
        case literal(String)
        case variable(Variable)
        /// `{time…}`: the message's time in a format and zone.
        case time(TimeFormat)
    }

    /// The values a template can refer to.
    public enum Variable: String, Sendable, Hashable, CaseIterable {
        case text
        case senderName = "sender.name"
        case senderDepartment = "sender.dept"
        case senderID = "sender.id"
        case channel
        case route
        case platform
        /// The support-desk ticket (`#1042`), or nothing outside the desk.
        case ticket
    }

    /// The template's source as written in the config.
    public let source: String
    public let segments: [Segment]

    /// The template that sends the text unchanged.
    public static let text = Template(source: "{text}", segments: [.variable(.text)])

    private init(source: String, segments: [Segment]) {
        self.source = source
        self.segments = segments
    }

    /// Parses a template, or says what is wrong and where (offset in Unicode scalars).
    public init(parsing source: String) throws(TemplateError) {
        var segments: [Segment] = []
        var literal = ""
        let scalars = Array(source.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            if scalar == "{" && next == "{" || scalar == "}" && next == "}" {
                literal.unicodeScalars.append(scalar)
                index += 2
            } else if scalar == "{" {
                guard let close = scalars[(index + 1)...].firstIndex(of: "}") else {
                    throw TemplateError(offset: index, message: "unclosed '{' (write '{{' for a literal brace)")
                }
                let name = String(String.UnicodeScalarView(scalars[(index + 1)..<close]))
                let segment: Segment
                if let variable = Variable(rawValue: name) {
                    segment = .variable(variable)
                } else if name == "time" || name.hasPrefix("time:") || name.hasPrefix("time@") {
                    do {
                        segment = .time(try TimeFormat(spec: String(name.dropFirst(4))))
                    } catch {
                        throw TemplateError(offset: index, message: "in '{\(name)}': \(error.message)")
                    }
                } else {
                    let known = (Variable.allCases.map(\.rawValue) + ["time"]).map { "{\($0)}" }.joined(separator: ", ")
                    throw TemplateError(offset: index, message: "unknown template variable '{\(name)}'; known: \(known)")
                }
                if !literal.isEmpty { segments.append(.literal(literal)) }
                literal = ""
                segments.append(segment)
                index = close + 1
            } else if scalar == "}" {
                throw TemplateError(offset: index, message: "unmatched '}' (write '}}' for a literal brace)")
            } else {
                literal.unicodeScalars.append(scalar)
                index += 1
            }
        }
        if !literal.isEmpty { segments.append(.literal(literal)) }
        self.init(source: source, segments: segments)
    }
}

/// Why a template does not parse.
public struct TemplateError: Error, Sendable, Hashable {
    /// Where, in Unicode scalars from the template's start.
    public var offset: Int
    public var message: String
}
