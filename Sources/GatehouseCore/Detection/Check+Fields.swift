extension Check {
    /// What this check's detectors find in the strings from outside that are sent besides the
    /// text: the sender's name and department (a Telegram user sets their own name, to a link or
    /// a phone number) and the attachments' file names. Each finding names its field; message
    /// rules are about the message as a whole and are not run again here.
    public func findings(inFieldsOf envelope: Envelope) -> [Finding] {
        guard !detectors.isEmpty else { return [] }
        var fields: [(String, String)] = [(Finding.Field.senderName, envelope.sender.name)]
        if let department = envelope.sender.department { fields.append((Finding.Field.senderDepartment, department)) }
        for (index, attachment) in envelope.attachments.enumerated() {
            if let name = attachment.name { fields.append((Finding.Field.attachmentName(index), name)) }
        }
        var findings: [Finding] = []
        var matches: [Range<Int>] = []
        for (field, value) in fields where !value.isEmpty {
            var value = value
            value.withUTF8 { bytes in
                var offsets = ScalarOffsets(bytes)
                let normalized = NormalizedText(bytes)
                for (index, detector) in detectors.enumerated() {
                    if !scan(index, normalized, into: &matches) {
                        findings.append(Finding(check: name, detector: timeoutDetector, offset: 0, length: 0, field: field))
                    }
                    for match in matches {
                        let (offset, length) = offsets.scalars(of: match)
                        findings.append(Finding(check: name, detector: detector.name, offset: offset, length: length, field: field))
                    }
                }
            }
        }
        return findings
    }
}
