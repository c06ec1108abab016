import Foundation
import GatehouseCore

extension Message {
    /// What the message is, and, for a kind that is no file to carry, the label it crosses as:
    /// the placeholder a destination shows where it cannot carry the kind natively, written so
    /// that the checks read what it says (a poll's question and options, a contact's name and
    /// number, a venue's title and address). Files (photos, documents, videos, voice, audio,
    /// animations, video notes) cross as attachments, with their caption as the text.
    var content: (kind: ContentKind, label: String?) {
        if let sticker { return (.sticker, "[sticker\(sticker.emoji.map { " " + $0 } ?? "")]") }
        if let poll {
            let options = poll.options.map(\.text).joined(separator: " / ")
            return (.poll, "[poll: \(poll.question)\(options.isEmpty ? "" : " — " + options)]")
        }
        if let venue {
            return (.venue, "[venue: \(venue.title), \(venue.address) (\(Self.coordinates(venue.location)))]")
        }
        if let location { return (.location, "[location: \(Self.coordinates(location))]") }
        if let contact {
            let name = [contact.firstName, contact.lastName].compactMap { $0 }.joined(separator: " ")
            return (.contact, "[contact: \(name), \(contact.phoneNumber)]")
        }
        if let dice { return (.dice, "[dice \(dice.emoji) \(dice.value)]") }
        if story != nil { return (.story, "[story]") }
        if let game { return (.game, "[game: \(game.title)]") }
        if let invoice { return (.invoice, "[invoice: \(invoice.title)]") }
        if let checklist {
            let tasks = (checklist.tasks ?? []).map(\.text).joined(separator: " / ")
            return (.checklist, "[checklist: \(checklist.title)\(tasks.isEmpty ? "" : " — " + tasks)]")
        }
        if paidMedia != nil { return (.paidMedia, "[paid media]") }
        if livePhoto != nil { return (.livePhoto, "[live photo]") }
        if giveaway != nil { return (.giveaway, "[giveaway]") }
        // An animation also comes as `document`, for old clients: it is an animation.
        if animation != nil { return (.animation, nil) }
        if videoNote != nil { return (.videoNote, nil) }
        if video != nil { return (.video, nil) }
        if voice != nil { return (.voice, nil) }
        if audio != nil { return (.audio, nil) }
        if document != nil { return (.document, nil) }
        if photo != nil { return (.photo, nil) }
        return (.text, nil)
    }

    /// Degrees to five places (about a metre), as a map link takes them.
    private static func coordinates(_ location: Location) -> String {
        "\(rounded(location.latitude)), \(rounded(location.longitude))"
    }

    private static func rounded(_ degrees: Double) -> String {
        guard degrees.isFinite else { return "?" }
        var text = String(format: "%.5f", degrees)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
