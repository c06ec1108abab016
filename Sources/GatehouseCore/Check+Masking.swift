extension Check {
    /// Whether a `redact` verdict can do what it says for this check: its findings are spans of
    /// the text to mask, or attachments to leave behind. A rule about the message as a whole
    /// (its size, its time, its sender, its labels) has nothing to mask: redacting on it would
    /// forward the message unchanged while the record says redact.
    public var canRedact: Bool {
        rules.allSatisfy { $0 is AttachmentRule }
    }

    /// The names of the rules that have nothing to mask, for an error message.
    public var unmaskableRules: [String] {
        rules.filter { !($0 is AttachmentRule) }.map(\.name)
    }
}
