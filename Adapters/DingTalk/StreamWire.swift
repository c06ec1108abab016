// DingTalk Stream mode frames and the robot message payload, per the Stream protocol page and
// "receive messages" page (only the fields the adapter reads).

/// A frame the server pushes: `{"specVersion","type","headers":{…},"data":"<JSON string>"}`.
struct DownstreamFrame: Decodable {
    var type: String
    var headers: [String: HeaderValue]
    var data: String?

    func header(_ name: String) -> String? { headers[name]?.text }
}

/// Header values are documented as strings but `time` is shown both as a number and a string.
struct HeaderValue: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
        } else if let number = try? container.decode(Int64.self) {
            text = String(number)
        } else if let number = try? container.decode(Double.self) {
            text = String(number)
        } else {
            text = ""
        }
    }
}

/// The client's answer to a pushed frame: `{"code":200,"headers":{"messageId","contentType"},"message":"OK","data":"…"}`.
struct UpstreamAck: Encodable {
    struct Headers: Encodable {
        var messageId: String
        var contentType = "application/json"
    }

    var code = 200
    var headers: Headers
    var message = "OK"
    var data: String
}

/// `POST /v1.0/gateway/connections/open` body.
struct OpenConnectionRequest: Encodable {
    struct Subscription: Encodable {
        var type: String
        var topic: String
    }

    var clientId: String
    var clientSecret: String
    var subscriptions: [Subscription]
    var ua: String
    var localIp: String
}

struct OpenConnectionResponse: Decodable {
    var endpoint: String
    var ticket: String
}

/// The robot message a CALLBACK frame on `/v1.0/im/bot/messages/get` carries in `data`.
struct RobotMessage: Decodable {
    /// `text`, and, for a quoted reply, what it quotes. DingTalk's documentation does not describe
    /// quoted replies: `isReplyMsg` and `repliedMsg` (`msgId`, `senderId`, `content`, the content a
    /// string or an object with `text`) follow the shape observed in real callbacks, read leniently
    /// so that a change of it leaves an ordinary text.
    struct Text: Decodable {
        var content: String?
        var isReplyMsg: Bool?
        var repliedMsg: Replied?

        struct Replied: Decodable {
            var msgId: String?
            var senderId: String?
            var content: String?

            private enum CodingKeys: String, CodingKey {
                case msgId, senderId, content
            }

            private struct Inner: Decodable {
                var text: String?
            }

            init(from decoder: any Decoder) throws {
                let container = try? decoder.container(keyedBy: CodingKeys.self)
                msgId = try? container?.decodeIfPresent(String.self, forKey: .msgId)
                senderId = try? container?.decodeIfPresent(String.self, forKey: .senderId)
                content =
                    (try? container?.decodeIfPresent(String.self, forKey: .content))
                    ?? (try? container?.decodeIfPresent(Inner.self, forKey: .content))?.flatMap(\.text)
            }
        }

        private enum CodingKeys: String, CodingKey {
            case content, isReplyMsg, repliedMsg
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            content = try container.decodeIfPresent(String.self, forKey: .content)
            isReplyMsg = try? container.decodeIfPresent(Bool.self, forKey: .isReplyMsg)
            repliedMsg = try? container.decodeIfPresent(Replied.self, forKey: .repliedMsg)
        }
    }

    var msgtype: String?
    var text: Text?
    /// The body of richText and picture messages.
    var content: Content?
    var msgId: String
    var createAt: Int64?
    var conversationType: String?
    var conversationId: String
    var conversationTitle: String?
    var senderId: String?
    var senderStaffId: String?
    var senderNick: String?
    var robotCode: String?
}

extension RobotMessage {
    /// `content` of a `richText` message (`{"richText":[{"text"},{"type":"picture","downloadCode"}]}`)
    /// or a `picture` one (`{"downloadCode"}`). Read leniently: other types put other things
    /// there, and a message is never refused for what this does not read.
    struct Content: Decodable {
        struct Item: Decodable {
            var text: String?
            var type: String?
            var downloadCode: String?

            private enum CodingKeys: String, CodingKey {
                case text, type, downloadCode
            }

            init(from decoder: any Decoder) throws {
                let container = try? decoder.container(keyedBy: CodingKeys.self)
                text = try? container?.decodeIfPresent(String.self, forKey: .text)
                type = try? container?.decodeIfPresent(String.self, forKey: .type)
                downloadCode = try? container?.decodeIfPresent(String.self, forKey: .downloadCode)
            }
        }

        var richText: [Item]?
        var downloadCode: String?
        /// A `file` message's name.
        var fileName: String?
        /// What DingTalk heard in an `audio` (voice) message: text the checks read.
        var recognition: String?
        /// A `video` message's container (`mp4`).
        var videoType: String?
        /// An `audio` or `video` message's length (a number; read whether it comes as one or as text).
        var duration: Int?

        private enum CodingKeys: String, CodingKey {
            case richText, downloadCode, fileName, recognition, videoType, duration
        }

        init(from decoder: any Decoder) throws {
            let container = try? decoder.container(keyedBy: CodingKeys.self)
            richText = try? container?.decodeIfPresent([Item].self, forKey: .richText)
            downloadCode = try? container?.decodeIfPresent(String.self, forKey: .downloadCode)
            fileName = try? container?.decodeIfPresent(String.self, forKey: .fileName)
            recognition = try? container?.decodeIfPresent(String.self, forKey: .recognition)
            videoType = try? container?.decodeIfPresent(String.self, forKey: .videoType)
            duration =
                (try? container?.decodeIfPresent(Int.self, forKey: .duration))
                ?? (try? container?.decodeIfPresent(String.self, forKey: .duration)).flatMap { $0.flatMap { Int($0) } }
        }
    }
}
