// The announcement (公告) event and API, per events-blackboard-sent.md and
// obtains-the-details-get-blackboard.md (only the fields the adapter reads).

/// The `data` of a `blackboard_sent` EVENT frame. The page shows the event's body both bare and
/// wrapped in an envelope with its own `data`; either is read.
struct BlackboardSentEvent: Decodable {
    var blackboardId: String
    var categoryName: String?

    private enum CodingKeys: String, CodingKey {
        case blackboardId, categoryName, data
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let inner = try? container.decode(BlackboardSentEvent.self, forKey: .data) {
            self = inner
            return
        }
        blackboardId = try container.decode(String.self, forKey: .blackboardId)
        categoryName = try container.decodeIfPresent(String.self, forKey: .categoryName)
    }
}

/// `GET /v1.0/blackboard/get_blackboard` answer: one announcement.
struct Blackboard: Decodable {
    struct Attachment: Decodable {
        var fileName: String?
        var fileType: String?
        var dentryId: String?
        var spaceId: String?
    }

    var id: String?
    var senderStaffId: String?
    var title: String?
    var content: String?
    var categoryName: String?
    /// 0 public, 20 confidential (保密: only admins and the receivers may read it).
    var privateLevel: Int64?
    var gmtCreate: String?
    var attachments: [Attachment]?
}
