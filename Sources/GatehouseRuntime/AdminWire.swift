import Foundation
import GatehouseCore

/// The admin API's JSON (over the Unix socket `listen.admin`), shared by the daemon and the
/// `gatehouse status | holds | queue | reload | announce` commands.
public enum AdminWire {
    /// `GET /status`: what the daemon is doing.
    public struct Status: Codable, Sendable, Equatable {
        public var revision: String
        public var file: String
        public var routes: Int
        public var ready: Bool
        public var outbox: [String: Int]
        public var records: Int
        public var checkpointed: Int
        public var lastCheckpoint: Date?
        public var reloadFailures: Int
        public var lastReloadFailure: String?
        /// The one-line summary the service manager shows.
        public var line: String
    }

    /// A delivery waiting for a person: held (`GET /holds`, `GET /holds/ID` with its text) or
    /// dead-lettered (`GET /dead`).
    public struct Job: Codable, Sendable, Equatable {
        public var id: Int64
        public var crossing: Int64
        public var route: String
        public var destination: String
        public var action: String
        public var created: Date
        public var origin: String
        /// The text as it would be sent (only in `GET /holds/ID`).
        public var text: String?
        /// When a scheduled announcement is due (`GET /scheduled`).
        public var due: Date?
        /// What the approver must see before deciding (only in `GET /holds/ID`): the sender's id
        /// on the origin platform, the findings that held it (check, detector, where — never the
        /// matched text), every link target in what would be sent (visible and hidden behind
        /// text), and every attachment that would go with it.
        public var sender: String?
        public var findings: [Finding]?
        public var links: [String]?
        public var attachments: [Envelope.Attachment]?
        /// Where its review stands (only in `GET /holds/ID`, once opened): its card, the
        /// approvals it has and needs, its deadline, and each decision so far.
        public var review: Review?

        public struct Review: Codable, Sendable, Equatable {
            public var card: String?
            public var approvals: Int
            public var needed: Int
            public var deadline: Date?
            public var escalated: Bool
            /// `approved by NAME (ID, DEPARTMENT): REASON`, in order.
            public var decisions: [String]
        }
    }

    /// `POST /announce`: an operator's announcement, now or at a time.
    public struct Announcement: Codable, Sendable, Equatable {
        public var to: [String]
        public var text: String
        /// "2026-12-01 09:00" in `tz`, or ISO 8601 with an offset.
        public var at: String?
        public var tz: String?
        /// "09:00" in each destination's own time zone.
        public var localTime: String?

        public init(to: [String], text: String, at: String? = nil, tz: String? = nil, localTime: String? = nil) {
            self.to = to
            self.text = text
            self.at = at
            self.tz = tz
            self.localTime = localTime
        }

        enum CodingKeys: String, CodingKey {
            case to, text, at, tz
            case localTime = "local_time"
        }
    }

    /// The answer to `POST /announce`: its decision for each destination.
    public struct Announced: Codable, Sendable, Equatable {
        /// The announcement's id (its origin message id in the audit log).
        public var id: String
        public var announcer: String
        public var crossings: [Crossing]

        public struct Crossing: Codable, Sendable, Equatable {
            public var destination: String
            /// The route whose rules decided it.
            public var route: String
            public var verdict: String
            /// The detectors that found something.
            public var findings: [String]
            public var record: Int64
            /// Its delivery, unless blocked.
            public var job: Int64?
            /// pending (goes now), scheduled or held.
            public var state: String?
            public var due: Date?
        }
    }

    /// `POST /holds/ID/approve` and `/reject`: why.
    public struct Decision: Codable, Sendable {
        public var reason: String

        public init(reason: String) {
            self.reason = reason
        }
    }

    /// The answer to a decision: its audit record and who was recorded as deciding.
    public struct Decided: Codable, Sendable, Equatable {
        public var record: Int64
        public var approver: String
        /// For an approval that does not settle the hold yet (`approvals: 2`): how it stands.
        public var waiting: String?
    }

    /// `GET /holds/history`: a decided hold, with its reviewers and how long it waited.
    public struct DecidedHold: Codable, Sendable, Equatable {
        public var id: Int64
        public var route: String
        public var destination: String
        /// `approved`, `rejected` or `expired`.
        public var outcome: String
        public var held: Date
        public var decided: Date
        public var card: String?
        /// Each reviewer's decision: `approved by NAME (ID, DEPARTMENT): REASON`.
        public var reviewers: [String]
    }

    /// `POST /withdrawals`: which message to take back everywhere, and why. Either `crossing`
    /// (an audit record of one of its crossings) or the origin (`platform`, `conversation`, `message`).
    public struct WithdrawalRequest: Codable, Sendable, Equatable {
        public var crossing: Int64?
        public var platform: String?
        public var conversation: String?
        public var message: String?
        public var reason: String

        public init(crossing: Int64? = nil, platform: String? = nil, conversation: String? = nil, message: String? = nil, reason: String) {
            self.crossing = crossing
            self.platform = platform
            self.conversation = conversation
            self.message = message
            self.reason = reason
        }
    }

    /// The answer to a withdrawal: a `withdrawn` record per destination with a copy (a delete
    /// job each follows), how many deliveries not yet made were cancelled, and who asked.
    public struct Withdrawn: Codable, Sendable, Equatable {
        public var records: [Int64]
        public var destinations: [String]
        public var cancelled: Int
        public var approver: String
    }

    /// `GET /desk/tickets[?state=open]`: a support-desk ticket.
    public struct TicketRow: Codable, Sendable, Equatable {
        public var number: Int64
        public var state: String
        public var platform: String
        public var chat: String
        public var customerID: String
        public var name: String
        public var handle: String?
        public var language: String?
        public var claimedBy: String?
        public var openedAt: Date
        public var firstResponseAt: Date?
        public var closedAt: Date?
    }

    /// `GET /desk/tickets/N`: a ticket and its conversation as decided.
    public struct TicketDetail: Codable, Sendable, Equatable {
        public var ticket: TicketRow
        public var entries: [Entry]

        /// One crossing of the conversation: its audit record, where it went, the verdict and
        /// the text as decided (nil once retention erased it).
        public struct Entry: Codable, Sendable, Equatable {
            public var record: Int64
            public var time: Date
            public var route: String
            public var from: String
            public var to: String
            public var verdict: String
            public var text: String?
        }
    }

    /// `POST /subjects/erase`: whose content to erase, and why. `platform` is a config name or a
    /// platform type (every platform of it).
    public struct Erasure: Codable, Sendable, Equatable {
        public var platform: String
        public var person: String
        public var reason: String

        public init(platform: String, person: String, reason: String) {
            self.platform = platform
            self.person = person
            self.reason = reason
        }
    }

    /// The answer to an erasure: a `content_erased` record per crossing whose bodies went.
    public struct Erased: Codable, Sendable, Equatable {
        public var subject: String
        public var records: [Int64]
        public var approver: String
    }

    /// `GET /queue`: one row per destination.
    public struct QueueRow: Codable, Sendable, Equatable {
        public var destination: String
        public var pending: Int
        public var inflight: Int
        public var deferred: Int
        public var held: Int
        public var dead: Int
        /// Announcements waiting for their time; absent in answers from before schedules.
        public var scheduled: Int?
    }

    /// `POST /reload`.
    public struct ReloadAnswer: Codable, Sendable, Equatable {
        /// loaded, unchanged or refused.
        public var outcome: String
        public var revision: String?
        public var record: Int64?
        public var problems: [String]
    }

    /// Any refusal: `{"error": "…"}`.
    public struct Failure: Codable, Sendable {
        public var error: String
    }

    /// Dates as ISO 8601, the same way both ends.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// A break-glass sign-in link to the console, good once until `expires`.
    public struct SignInLink: Codable, Sendable {
        public var url: String
        public var expires: Date
    }

    /// A use of a standby's console, for the active instance to audit (a standby writes no
    /// record itself): what was done and by whom (nil for a refused sign-in of no one known).
    public struct ConsoleAccess: Codable, Sendable {
        public var what: String
        public var person: ReviewerIdentity?

        public init(what: String, person: ReviewerIdentity?) {
            self.what = what
            self.person = person
        }
    }

    /// The longest ``ConsoleAccess/what`` taken.
    public static let consoleAccessLimit = 1_000
}
