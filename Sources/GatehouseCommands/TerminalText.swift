/// Text from outside, made safe to print on an operator's terminal: a sender's name or message can
/// hold escape sequences (clearing the screen, rewriting what an approver reads, setting the
/// window title) or bidi overrides that reorder what is shown. Each such character is shown as a
/// visible escape instead (`\u{1B}`); line breaks become `\n` unless the caller keeps them.
enum TerminalText {
    static func escaped(_ text: String, keepingLineBreaks: Bool = false) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar == "\n" && keepingLineBreaks {
                output.unicodeScalars.append(scalar)
            } else if isUnsafe(scalar) {
                output += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// C0 and C1 controls, DEL, and the invisible characters that change how the rest is shown.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200B...0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2060...0x2069, 0xFEFF: true
        default: false
        }
    }
}
