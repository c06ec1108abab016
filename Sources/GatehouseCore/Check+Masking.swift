extension Check {
    /// Whether a `redact` verdict can do what it says for this check: its findings are spans of
    /// the text to mask, or attachments to leave behind. A detector of the message as a whole
    /// (its size, its time, its sender, its labels) has nothing to mask: redacting on it would
    /// forward the message unchanged while the record says redact.
    public var canRedact: Bool {
        messageDetectors.allSatisfy { $0 is AttachmentDetector }
    }

    /// The names of the detectors that have nothing to mask, for an error message.
    public var unmaskableDetectors: [String] {
        messageDetectors.filter { !($0 is AttachmentDetector) }.map(\.name)
    }
}
