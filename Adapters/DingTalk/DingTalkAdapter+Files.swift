import AsyncHTTPClient
import Foundation
import GatehouseCore
import NIOCore

/// Files both ways: a file a person sent the robot is fetched with robot/messageFiles/download
/// and its temporary link; a file sent to a group is uploaded with media/upload and sent as a
/// sampleImageMsg, sampleFile or sampleAudio, within the documented formats and sizes. A file no
/// native form takes (a video needs a cover picture Gatehouse does not have; a format or size the
/// documentation does not allow) crosses as a line naming it.
extension DingTalkAdapter {
    /// How DingTalk can show a file, by what its metadata says (before its bytes are fetched).
    enum FileForm: Equatable {
        /// sampleImageMsg: JPEG, PNG, GIF or BMP (media/upload type `image`).
        case picture
        /// sampleFile: the formats both media/upload and sampleFile name.
        case file(type: String)
        /// sampleAudio: AMR, the one format both media/upload (`voice`) and sampleAudio take.
        case voice
    }

    /// media/upload's limit for images, videos and files (a voice note: 2 MB).
    static let mediaLimit = 20 << 20
    static let voiceLimit = 2 << 20
    /// The file types sampleFile shows (and media/upload takes as `file`).
    static let fileTypes: Set<String> = ["xlsx", "pdf", "zip", "rar", "doc", "docx"]

    /// The form an attachment can take in a group, or nil when none documented fits: then it
    /// crosses as a line naming it. A sticker never does (its label is in the text).
    static func form(of attachment: Envelope.Attachment) -> FileForm? {
        if attachment.form == .sticker { return nil }
        if attachment.form == .photo { return .picture }
        let type = attachment.name.flatMap { name in name.contains(".") ? name.split(separator: ".").last.map { $0.lowercased() } : nil }
        if let type, fileTypes.contains(type) { return .file(type: type) }
        if attachment.mimeType == "application/pdf" { return .file(type: "pdf") }
        if type == "amr" || attachment.mimeType == "audio/amr" { return .voice }
        return nil
    }

    /// Whether the bytes are a picture media/upload takes as an image (JPEG, PNG, GIF, BMP).
    static func isUploadablePicture(_ data: Data) -> Bool {
        let bytes = [UInt8](data.prefix(8))
        func starts(_ magic: [UInt8]) -> Bool { bytes.starts(with: magic) }
        return starts([0xFF, 0xD8, 0xFF]) || starts([0x89, 0x50, 0x4E, 0x47]) || starts(Array("GIF8".utf8)) || starts(Array("BM".utf8))
    }

    /// The msgKey and msgParam that show an uploaded file, or nil when the bytes do not fit the
    /// form after all (a "photo" that is no picture DingTalk takes, a file over the limit).
    func upload(_ file: AttachedFile, as form: FileForm) async throws -> (msgKey: String, param: String)? {
        switch form {
        case .picture:
            guard Self.isUploadablePicture(file.data), file.data.count <= Self.mediaLimit else { return nil }
            let mediaID = try await uploadMedia(file, type: "image", name: Self.pictureName(file))
            return ("sampleImageMsg", try Self.json(["photoURL": mediaID]))
        case .file(let type):
            guard file.data.count <= Self.mediaLimit else { return nil }
            let name = file.name.lowercased().hasSuffix("." + type) ? file.name : file.name + "." + type
            let mediaID = try await uploadMedia(file, type: "file", name: name)
            return ("sampleFile", try Self.json(["mediaId": mediaID, "fileName": name, "fileType": type]))
        case .voice:
            guard file.data.count <= Self.voiceLimit else { return nil }
            let mediaID = try await uploadMedia(file, type: "voice", name: file.name.hasSuffix(".amr") ? file.name : "voice.amr")
            // sampleAudio's duration is in milliseconds.
            return ("sampleAudio", try Self.json(["mediaId": mediaID, "duration": String((file.duration ?? 1) * 1000)]))
        }
    }

    /// A picture's name with the extension its bytes have (media/upload judges by the name).
    private static func pictureName(_ file: AttachedFile) -> String {
        let bytes = [UInt8](file.data.prefix(4))
        let type =
            bytes.starts(with: [0x89, 0x50])
            ? "png" : bytes.starts(with: Array("GIF".utf8)) ? "gif" : bytes.starts(with: Array("BM".utf8)) ? "bmp" : "jpg"
        let stem = file.name.split(separator: ".").first.map(String.init) ?? "picture"
        return "\(stem).\(type)"
    }

    private static func json(_ fields: [String: String]) throws(DeliveryError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(fields) else { throw .rejected("cannot encode the message") }
        return String(decoding: data, as: UTF8.self)
    }

    /// media/upload on the old API (the token in the query, the file in `media`); answers the media_id.
    private func uploadMedia(_ file: AttachedFile, type: String, name: String) async throws -> String {
        try await authorized { token throws(DeliveryError) in
            var form = MultipartForm()
            form.add("type", type)
            form.add(file: "media", name: name, contentType: file.mimeType, data: file.data)
            var request = HTTPClientRequest(
                url: configuration.oapiURL + "/media/upload?access_token=" + CustomRobotClient.queryValue(token)
            )
            request.method = .POST
            request.headers.add(name: "Content-Type", value: form.contentType)
            request.body = .bytes(ByteBuffer(bytes: form.bytes))
            let answer: MediaUploadResponse
            do {
                let response = try await api.http.execute(request, timeout: .seconds(60))
                let bytes = try await response.body.collect(upTo: 1 << 20)
                guard (200..<300).contains(response.status.code) else {
                    throw OpenAPIClient.classify(path: "/media/upload", status: response.status.code, code: nil, message: nil)
                }
                guard let decoded = try? JSONDecoder().decode(MediaUploadResponse.self, from: Data(bytes.readableBytesView)) else {
                    throw DeliveryError.invalidResponse("media/upload: an unexpected body")
                }
                answer = decoded
            } catch let error as DeliveryError {
                throw error
            } catch {
                // Never the error's description: it may hold the URL, and the URL the token.
                throw .network("media/upload: \(Swift.type(of: error))")
            }
            guard answer.errcode == 0, let mediaID = answer.mediaID, !mediaID.isEmpty else {
                // 40014 and 40001 are the old API's "token invalid".
                if answer.errcode == 40014 || answer.errcode == 40001 {
                    throw DeliveryError(.tokenInvalid, "media/upload: \(answer.errcode) \(answer.errmsg ?? "")")
                }
                throw .rejected("media/upload: \(answer.errcode) \(answer.errmsg ?? "")")
            }
            return mediaID
        }
    }

    /// Fetches a file a person sent the robot: its download code exchanged for a temporary link
    /// (robot/messageFiles/download), then the link, within `limit` bytes. The link is a
    /// credential while it lasts: it is never logged.
    public func download(_ attachment: Envelope.Attachment, limit: Int) async throws -> AttachedFile {
        let limit = min(limit, Self.mediaLimit)
        let answer: FileDownloadResponse = try await authorized { token throws(DeliveryError) in
            try await api.post(
                "/v1.0/robot/messageFiles/download",
                FileDownload(downloadCode: attachment.reference, robotCode: configuration.robotCode),
                accessToken: token
            )
        }
        var request = HTTPClientRequest(url: answer.downloadUrl)
        request.method = .GET
        let data: Data
        do {
            let response = try await api.http.execute(request, timeout: .seconds(60))
            guard response.status == .ok else { throw DeliveryError.unavailable("messageFiles download link: HTTP \(response.status.code)") }
            data = Data((try await response.body.collect(upTo: limit)).readableBytesView)
        } catch let error as DeliveryError {
            throw error
        } catch let error as NIOTooManyBytesError {
            throw DeliveryError.rejected("attachment '\(attachment.name ?? "file")' is over \(limit) bytes: \(type(of: error))")
        } catch {
            throw DeliveryError.network("messageFiles download link: \(type(of: error))")
        }
        let name = attachment.name ?? (attachment.form == .photo ? "picture.jpg" : attachment.form == .video ? "video.mp4" : "file")
        return AttachedFile(
            name: name,
            mimeType: attachment.mimeType ?? (name.lowercased().hasSuffix(".pdf") ? "application/pdf" : nil),
            data: data,
            isPhoto: attachment.isPhoto == true,
            form: attachment.form,
            duration: attachment.duration
        )
    }
}

/// robot/messageFiles/download's request and answer.
struct FileDownload: Encodable, Sendable {
    var downloadCode: String
    var robotCode: String
}

struct FileDownloadResponse: Decodable {
    var downloadUrl: String
}

/// media/upload's answer (the old API: errcode 0 on success).
struct MediaUploadResponse: Decodable {
    var errcode: Int
    var errmsg: String?
    var mediaID: String?

    enum CodingKeys: String, CodingKey {
        case errcode, errmsg
        case mediaID = "media_id"
    }
}
