import GatehouseCore
import Testing

@testable import TelegramAdapter

/// What a Bot API "Bad Request" means. The Bot API gives these cases no code of their own, only
/// a description, so it is read once, where the answer arrives; every caller matches the code.
@Suite struct BotAPIClientTests {
    @Test(
        arguments: [
            (
                "editMessageText",
                "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
                .notModified
            ),
            ("sendMessage", "Bad Request: message to be replied not found", .replyTargetGone),
            ("sendMessage", "Bad Request: replied message not found", .replyTargetGone),
            ("editMessageText", "Bad Request: message to edit not found", .messageGone),
            ("deleteMessage", "Bad Request: message to delete not found", .messageGone),
            ("deleteMessage", "Bad Request: message can't be deleted for everyone", .notRemovable),
            ("editMessageText", "Bad Request: message can't be edited", .tooOld),
            ("sendPhoto", "Bad Request: PHOTO_INVALID_DIMENSIONS", .photoRefused),
            ("sendPhoto", "Bad Request: IMAGE_PROCESS_FAILED", .photoRefused),
            // Only a photo can be refused as a photo: the same words on a document are a refusal.
            ("sendDocument", "Bad Request: PHOTO_INVALID_DIMENSIONS", .rejected),
            ("sendMessage", "Bad Request: chat not found", .rejected),
            ("sendMessage", "Bad Request: message is too long", .rejected),
        ] as [(String, String, DeliveryError.Code)]
    )
    func aBadRequestIsReadOnceIntoItsCode(method: String, description: String, code: DeliveryError.Code) {
        #expect(BotAPIClient.badRequest(method: method, description) == code)
        // None of these is worth trying again as it is.
        #expect(!code.isTransient)
    }

    @Test func everyCodeSaysWhetherTryingAgainCanHelp() {
        let transient = DeliveryError.Code.allCases.filter(\.isTransient)
        #expect(Set(transient) == [.rateLimited, .unavailable, .network, .tokenInvalid, .invalidResponse, .conflict, .paced])
        #expect(DeliveryError(.rateLimited, "x", retryAfter: .seconds(3)).disposition == .transient(retryAfter: .seconds(3)))
        #expect(DeliveryError(.tooOld, "x", retryAfter: .seconds(3)).disposition == .permanent)
    }
}
