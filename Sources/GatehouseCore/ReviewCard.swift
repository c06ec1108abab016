import Foundation

/// The DingTalk interactive card that shows reviewers a hold and takes their decision: one card
/// (one `outTrackId`) delivered to every place its reviewers are, so that one update changes it
/// for all of them.
///
/// The card's look is a template built in DingTalk's card platform; Gatehouse fills its
/// variables (``Field``) and reads its buttons' callback parameters (``CardAction``).
public struct ReviewCard: Sendable, Hashable {
    /// The card's id (DingTalk's `outTrackId`), chosen by Gatehouse and kept in the ledger.
    public var id: String
    /// The card template's id (`review.card_template`).
    public var template: String
    /// Where the card goes.
    public var spaces: [Space]
    /// The template's variables (each value at most ``valueLimit`` bytes).
    public var fields: [String: String]

    /// A place a card is delivered to.
    public enum Space: Sendable, Hashable {
        /// A group (its openConversationId).
        case group(String)
        /// A person's one-to-one chat with the robot (their staff id).
        case person(String)
    }

    /// The most bytes DingTalk takes in one card variable's value.
    public static let valueLimit = 1024

    public init(id: String, template: String, spaces: [Space], fields: [String: String]) {
        self.id = id
        self.template = template
        self.spaces = spaces
        self.fields = fields
    }

    /// The names of the template's variables (documented in docs/review-cards.md).
    public enum Field {
        /// `#H12 · news → public-channel`.
        public static let title = "title"
        /// Markdown: route, sender, destination, findings, attachments.
        public static let summary = "summary"
        /// The exact text that would be sent (or its head, when the text is longer than a
        /// variable holds: then the full text is sent just before the card).
        public static let text = "text"
        /// Markdown: what is awaited, or how it was decided (who, when, why).
        public static let status = "status"
        /// "true" once decided: the template hides the buttons.
        public static let decided = "decided"
        /// The hold's number, which the buttons send back (`hold` parameter).
        public static let hold = "hold"
        /// A private variable: what the clicker alone is told (refused, counted, already decided).
        public static let notice = "notice"
    }
}

/// A click on a review card's button, as the platform's callback reports it.
public struct CardAction: Sendable, Hashable {
    /// The card (`outTrackId`).
    public var card: String
    /// Who clicked (their staff id).
    public var person: String
    /// The button's callback parameters (`action`: approve or reject, `hold`, `reason` when the
    /// template has an input for it).
    public var parameters: [String: String]
    /// The platform's config name.
    public var platform: String
    /// The one-use value of a click whose signature covers only a time (a click posted by HTTP):
    /// it is taken once, in the ledger.
    public var nonce: String?

    public init(card: String, person: String, parameters: [String: String], platform: String, nonce: String? = nil) {
        self.card = card
        self.person = person
        self.parameters = parameters
        self.platform = platform
        self.nonce = nonce
    }

    /// `approve` or `reject`, from the `action` parameter.
    public var approve: Bool? {
        switch parameters["action"]?.lowercased() {
        case "approve"?: true
        case "reject"?: false
        default: nil
        }
    }
}

/// What a card callback is answered with: the card's public variables to change for everyone,
/// and what the clicker alone is told.
public struct CardAnswer: Sendable, Hashable {
    public var fields: [String: String]
    public var notice: String?

    public init(fields: [String: String] = [:], notice: String? = nil) {
        self.fields = fields
        self.notice = notice
    }
}

/// Answers a card click; called once the decision it carries is committed.
public typealias CardActionHandler = @Sendable (CardAction) async -> CardAnswer

/// An adapter whose platform has interactive cards (DingTalk): it delivers and updates review
/// cards and hands their clicks to the handler the gateway installs.
public protocol CardCarrier: Adapter {
    /// Creates the card and delivers it to its spaces, and says which spaces the platform did
    /// not reach, and why (a staff id it does not know). Delivering a card whose id the platform
    /// already has (a retry after a lost answer) is a success. Throws when the card was not made.
    func deliver(_ card: ReviewCard) async throws -> [String]

    /// Changes some of a delivered card's variables, for everyone who has it.
    func update(card id: String, fields: [String: String]) async throws

    /// Installs what answers the clicks; before it is installed, clicks are answered with a
    /// notice that the gateway is starting.
    func answerCards(with handler: @escaping CardActionHandler)

    /// Whether the platform posts card clicks to `/hooks/<platform>/cards` (rather than over
    /// its own connection).
    var takesCardPushes: Bool { get }

    /// Looks at a posted card click's headers before its body is read: a forged or stale one is
    /// refused here. nil lets it in.
    func screenCard(_ headers: [String: String], now: Date) -> PushAnswer?

    /// The signed value of a posted card click that may be used once (its signature covers a
    /// time, not the body).
    func cardToken(_ headers: [String: String]) -> PushToken?

    /// Answers a posted card click that passed the screen: 200 with the JSON body the platform
    /// takes as the card's update, or a refusal when the body is not a click.
    func answerCardPush(_ push: Push) async -> PushAnswer
}
