import Foundation
import GatehouseCore

extension RobotMessage {
    /// What the message says, in the neutral form, and the files that came with it (metadata: the
    /// download code to fetch each by, when a route sends it on):
    /// - `richText`: its text items in order, and each picture an attachment; where a picture
    ///   stood between two texts they are a line apart, so their words do not run together;
    /// - `picture`: the picture alone (the same thing as a richText of one picture);
    /// - `file`, `video`: the file alone, with its name or container; `audio` (a voice message):
    ///   the file, and what DingTalk heard in it as the text (`[voice: …]`);
    /// - anything else: `text.content`, as it reads (DingTalk's text messages are not Markdown).
    ///
    /// The text is trimmed: DingTalk puts a space before it, where the @-mention of the robot was.
    /// What kind of message it is (nil: text, or a richText of text and pictures).
    var contentKind: ContentKind? {
        switch msgtype {
        case "picture": .photo
        case "file": .document
        case "audio": .voice
        case "video": .video
        default: nil
        }
    }

    var contents: (body: RichText, attachments: [Envelope.Attachment]) {
        switch msgtype {
        case "richText":
            var text = ""
            var attachments: [Envelope.Attachment] = []
            var afterFile = false
            for item in content?.richText ?? [] {
                if let code = item.downloadCode {
                    attachments.append(Envelope.Attachment(reference: code, isPhoto: item.type == "picture" ? true : nil))
                    afterFile = true
                } else if let piece = item.text {
                    if afterFile, text.last.map({ !$0.isNewline }) == true, piece.first.map({ !$0.isNewline }) == true {
                        text += "\n"
                    }
                    text += piece
                    afterFile = false
                }
            }
            return (RichText(text: text.trimmingCharacters(in: .whitespacesAndNewlines)), attachments)
        case "picture":
            return (RichText(text: ""), content?.downloadCode.map { [Envelope.Attachment(reference: $0, isPhoto: true)] } ?? [])
        case "file":
            return (RichText(text: ""), content?.downloadCode.map { [Envelope.Attachment(reference: $0, name: content?.fileName)] } ?? [])
        case "audio":
            // A voice message: what DingTalk heard in it is its text, so the checks read it.
            let heard = content?.recognition.map { "[voice: \($0)]" } ?? "[voice]"
            // The receiving documentation does not name the recording's format: none is claimed.
            // Its duration is in milliseconds (the receiving documentation's example: 4000).
            let seconds = content?.duration.map { max(1, $0 / 1000) }
            return (RichText(text: heard), content?.downloadCode.map { [Envelope.Attachment(reference: $0, kind: .voice, duration: seconds)] } ?? [])
        case "video":
            let mime = content?.videoType.map { "video/\($0)" } ?? "video/mp4"
            let seconds = content?.duration.map { max(1, $0 / 1000) }
            return (
                RichText(text: ""),
                content?.downloadCode.map {
                    [
                        Envelope.Attachment(
                            reference: $0,
                            name: "video.\(content?.videoType ?? "mp4")",
                            mimeType: mime,
                            kind: .video,
                            duration: seconds
                        )
                    ]
                } ?? []
            )
        default:
            return (RichText(text: text?.content?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""), [])
        }
    }
}
