import Foundation

extension DingTalkEmulator {
    /// An announcement (公告) someone publishes, for `POST /_emulator/blackboards` and
    /// ``DingTalkEmulator/publish(_:)``.
    ///
    /// JSON: `{"title":"…","content":"…","senderStaffId":"…","categoryName":"…","privateLevel":0,
    /// "attachments":[{"fileName":"…","fileType":"pdf"}]}`; only `title`, `content` and
    /// `senderStaffId` are required.
    public struct Announcement: Codable, Sendable, Equatable {
        public struct Attachment: Codable, Sendable, Equatable {
            public var fileName: String
            public var fileType: String

            public init(fileName: String, fileType: String) {
                self.fileName = fileName
                self.fileType = fileType
            }
        }

        public var title: String
        public var content: String
        public var senderStaffId: String
        public var categoryName: String?
        /// 0 public, 20 confidential (保密).
        public var privateLevel: Int?
        public var attachments: [Attachment]?

        public init(
            title: String,
            content: String,
            senderStaffId: String,
            categoryName: String? = nil,
            privateLevel: Int? = nil,
            attachments: [Attachment]? = nil
        ) {
            self.title = title
            self.content = content
            self.senderStaffId = senderStaffId
            self.categoryName = categoryName
            self.privateLevel = privateLevel
            self.attachments = attachments
        }
    }

    /// The answer of `POST /_emulator/blackboards`: the announcement's id and its event's id.
    public struct PublishedAnnouncement: Codable, Sendable, Equatable {
        public var blackboardId: String
        public var eventId: String
    }
}

/// A published announcement as the emulator keeps it.
struct StoredBlackboard: Sendable {
    var id: String
    var announcement: DingTalkEmulator.Announcement
    var categoryID: String
    var created: Date
    var deleted = false

    /// The `get_blackboard` answer, in the documented shape.
    func detail(corpID: String) -> JSONValue {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let time = formatter.string(from: created)
        return .object([
            "id": .string(id),
            "senderStaffId": .string(announcement.senderStaffId),
            "title": .string(announcement.title),
            "content": .string(announcement.content),
            "categoryId": .string(categoryID),
            "categoryName": .string(announcement.categoryName ?? "公告"),
            "privateLevel": .int(Int64(announcement.privateLevel ?? 0)),
            "isPushTop": .int(0),
            "depNameList": .array([]),
            "userNameList": .array([]),
            "gmtCreate": .string(time),
            "gmtModified": .string(time),
            "readCount": .int(0),
            "unReadCount": .int(0),
            "userList": .array([]),
            "deptList": .array([]),
            "attachments": .array(
                (announcement.attachments ?? []).enumerated().map { index, file in
                    .object([
                        "fileName": .string(file.fileName), "fileType": .string(file.fileType),
                        "dentryId": .string("\(id.prefix(8))\(index)"), "spaceId": .string("2750000"),
                    ])
                }
            ),
        ])
    }

    /// The `data` of its `blackboard_sent` event, as the Stream example shows it.
    func event(unionID: String) -> JSONValue {
        .object([
            "unionId": .string(unionID),
            "receivers": .object(["deptIds": .string("[1]")]),
            "blackboardType": .string("blackboard"),
            "blackboardId": .string(id),
            "categoryName": .string(announcement.categoryName ?? "公告"),
            "categoryId": .string(categoryID),
        ])
    }
}
