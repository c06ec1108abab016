import Foundation

/// A file the emulator keeps: one a person sent the robot, or one the app uploaded.
struct DingTalkMedia: Sendable {
    /// "image", "voice", "video" or "file" (media/upload's types); a received file's msgtype.
    var type: String
    var name: String?
    var data: [UInt8]
}

/// Files both ways: what people send the robot (fetched with robot/messageFiles/download and a
/// temporary link) and what the app uploads (media/upload), with the documented limits.
extension DingTalkAppState {
    /// Keeps a file a person sent; answers its download code.
    func receive(_ file: DingTalkMedia) -> String {
        let code = Self.randomKey(bytes: 48)
        receivedFiles[code] = file
        lastReceivedCode = code
        return code
    }

    /// A temporary link's token for a download code, or nil for a code the robot never received.
    func downloadLink(for code: String) -> String? {
        guard receivedFiles[code] != nil else { return nil }
        let token = Self.urlSafeKey(bytes: 24)
        downloadLinks[token] = code
        return token
    }

    /// The bytes behind a temporary link.
    func linkedFile(_ token: String) -> [UInt8]? {
        downloadLinks[token].flatMap { receivedFiles[$0]?.data }
    }

    /// media/upload's limits per type: the largest file and the formats (by extension) it takes.
    static let uploadRules: [String: (limit: Int, formats: Set<String>)] = [
        "image": (20 << 20, ["jpg", "jpeg", "gif", "png", "bmp"]),
        "voice": (2 << 20, ["amr", "mp3", "wav"]),
        "video": (20 << 20, ["mp4"]),
        "file": (20 << 20, ["doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "pdf", "rar"]),
    ]

    /// Keeps an uploaded file within media/upload's rules; answers its media_id.
    func upload(_ media: DingTalkMedia) throws -> String {
        guard let rule = Self.uploadRules[media.type] else { throw DingTalkAPIError.legacy(40004, "不合法的媒体文件类型") }
        let format = media.name.flatMap { $0.split(separator: ".").count > 1 ? $0.split(separator: ".").last : nil }.map { $0.lowercased() }
        guard let format, rule.formats.contains(format) else {
            throw media.type == "file" ? DingTalkAPIError.legacy(40005, "不合法的文件类型") : DingTalkAPIError.legacy(40004, "不合法的媒体文件类型")
        }
        guard !media.data.isEmpty, media.data.count <= rule.limit else { throw DingTalkAPIError.legacy(40006, "不合法的文件大小") }
        let id = "@lA" + Self.urlSafeKey(bytes: 18)
        uploadedMedia[id] = media
        return id
    }

    /// A random key that can stand in a URL's path.
    static func urlSafeKey(bytes: Int) -> String {
        randomKey(bytes: bytes).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
            of: "=",
            with: ""
        )
    }

    /// An uploaded file.
    func medium(_ id: String) -> DingTalkMedia? {
        uploadedMedia[id]
    }
}
