import Foundation

/// The parsers of outside bytes, each fed from one end: what arrives on the wire (or in a file)
/// goes through the same code as in the daemon, then through the gate and the renderers of the
/// platforms it would be sent to.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// A Telegram `Update` (the body of a push, one element of getUpdates), mapped to an envelope.
    case telegramUpdate = "telegram-update"
    /// A whole Telegram webhook request: header lines, a blank line, the body.
    case telegramWebhook = "telegram-webhook"
    /// A whole DingTalk HTTP callback: header lines, a blank line, the body; the first byte says
    /// whether the harness signs the timestamp, then given as milliseconds from now (so that the
    /// fuzzer reaches the body).
    case dingtalkCallback = "dingtalk-callback"
    /// A click on a review card posted by DingTalk: header lines, a blank line, the body; the
    /// first byte says whether the harness signs the timestamp (`x-ddpaas-signature`), given as
    /// milliseconds from now.
    case dingtalkCard = "dingtalk-card"
    /// One DingTalk Stream frame (a WebSocket text message) as the connection handles it.
    case dingtalkFrame = "dingtalk-frame"
    /// An answer of DingTalk's APIs the adapter reads beyond the send's: media/upload,
    /// messageFiles/download, batchRecall, the directory's user and department.
    case dingtalkAnswer = "dingtalk-answer"
    /// The admin socket's request bodies: a decision, an announcement with its time.
    case adminRequest = "admin-request"
    /// A YAML config, loaded and compiled (secret files are named, not read).
    case config
    /// A message's text through every check (normalised view, keywords, regexes, detectors,
    /// links), redaction and rendering.
    case policy

    nonisolated(unsafe) static var selected = FuzzTarget.policy

    func run(_ bytes: [UInt8]) {
        let harness = Harness.shared
        switch self {
        case .telegramUpdate: harness.telegramUpdate(bytes)
        case .telegramWebhook: harness.telegramWebhook(WireRequest(bytes))
        case .dingtalkCallback: harness.dingtalkCallback(WireRequest(bytes.dropFirst()), signed: bytes.first.map { $0 & 1 == 1 } ?? false)
        case .dingtalkCard: harness.dingtalkCard(WireRequest(bytes.dropFirst()), signed: bytes.first.map { $0 & 1 == 1 } ?? false)
        case .dingtalkFrame: harness.dingtalkFrame(bytes)
        case .dingtalkAnswer: harness.dingtalkAnswer(bytes)
        case .adminRequest: harness.adminRequest(bytes)
        case .config: harness.configFile(bytes)
        case .policy: harness.policy(bytes)
        }
    }
}
