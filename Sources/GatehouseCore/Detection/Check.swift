/// A named, reusable check from the config: detectors of the text and of the message as a whole,
/// whose findings a route maps to a verdict with `on:`.
public struct Check: Sendable {
    public var name: String
    /// Scanners of the message text.
    public var detectors: [any Detector] {
        didSet { bounded = detectors.map { $0 as? any BoundedDetector } }
    }
    /// Detectors of the message as a whole (attachments, size, time, sender, labels).
    public var messageDetectors: [any MessageDetector]
    /// Each detector that may give up at a budget, as one: cast once here, not per message (a
    /// cast to a protocol is a conformance lookup, a few percent of a message's whole decision).
    private var bounded: [(any BoundedDetector)?]

    /// Runs detector `index` over `text` (its view, if it reads that), its matches into
    /// `matches` (emptied first); false when it gave up at its budget, having read only part.
    func scan(_ index: Int, _ text: NormalizedText, into matches: inout [Range<Int>]) -> Bool {
        matches.removeAll(keepingCapacity: true)
        if let bounded = bounded[index] { return bounded.scanWithinBudget(text, into: &matches) }
        detectors[index].scan(text, into: &matches)
        return true
    }

    public init(name: String, detectors: [any Detector] = [], messageDetectors: [any MessageDetector] = []) {
        self.name = name
        self.detectors = detectors
        self.messageDetectors = messageDetectors
        self.bounded = detectors.map { $0 as? any BoundedDetector }
    }

    /// Everything this check finds in an envelope. `text` is the envelope's text as UTF-8 and
    /// `offsets` converts its byte ranges to the scalar offsets findings use.
    public func findings(in envelope: Envelope, text: UnsafeBufferPointer<UInt8>, offsets: inout ScalarOffsets) -> [Finding] {
        findings(in: envelope, text: NormalizedText(text), offsets: &offsets)
    }

    /// Everything this check finds in an envelope, whose text's normalised view the caller built
    /// once for every check; matches in the view are findings on the characters they were read
    /// from, so that masking a finding masks what was written (a full-width number whole, a
    /// zero-width space inside a number with it).
    public func findings(in envelope: Envelope, text: NormalizedText, offsets: inout ScalarOffsets) -> [Finding] {
        var findings: [Finding] = []
        var matches: [Range<Int>] = []
        for (index, detector) in detectors.enumerated() {
            // A scan that ran out of time read only part of the text: that is a finding of its
            // own, which holds the message (fail closed), not a pass.
            if !scan(index, text, into: &matches) {
                findings.append(Finding(check: name, detector: timeoutDetector, offset: 0, length: 0))
            }
            for match in matches {
                let (offset, length) = offsets.scalars(of: match)
                findings.append(Finding(check: name, detector: detector.name, offset: offset, length: length))
            }
            // A link's target is content too, though no reader sees it: what a detector finds in
            // it is a finding on the link's text, so that masking that text also drops the target.
            for (span, url) in envelope.body.hiddenLinks {
                matches.removeAll(keepingCapacity: true)
                var url = url
                url.withUTF8 { detector.scan(NormalizedText($0), into: &matches) }
                if !matches.isEmpty {
                    findings.append(Finding(check: name, detector: detector.name, offset: span.offset, length: span.length))
                }
            }
        }
        // In reading order, whatever detector found them.
        findings.sort { ($0.offset, -$0.length, $0.detector) < ($1.offset, -$1.length, $1.detector) }
        for detector in messageDetectors where detector.violated(by: envelope) {
            findings.append(Finding(check: name, detector: detector.name, offset: 0, length: 0))
        }
        return findings
    }
}

/// A detector of a message as a whole rather than of a span of its text. A violation is a finding
/// with offset 0 and length 0: there is nothing in the text to mask.
public protocol MessageDetector: Sendable {
    /// The name findings carry (`attachment`, `size`, `outside`, `sender`).
    var name: String { get }
    func violated(by envelope: Envelope) -> Bool
}
