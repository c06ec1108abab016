import Foundation
import GatehouseCore

extension Message {
    /// What the message is, and, for a kind that is no file to carry, the label it crosses as:
    /// the placeholder a destination shows where it cannot carry the kind natively, written so
    /// that the checks read what it says (a poll's question and options, a contact's name and
    /// number, a venue's title and address). Files (photos, documents, videos, voice, audio,
    /// animations, video notes) cross as attachments, with their caption as the text.
    var content: (kind: ContentKind, label: String?) {
        if let native { return (native.kind, native.label) }
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

    /// The content a destination can send again in its native form, with its label.
    var native: NativeContent? {
        if let sticker {
            return NativeContent(label: "[sticker\(sticker.emoji.map { " " + $0 } ?? "")]", shape: .sticker(emoji: sticker.emoji))
        }
        if let poll {
            let options = poll.options.map(\.text)
            let listed = options.joined(separator: " / ")
            return NativeContent(
                label: "[poll: \(poll.question)\(listed.isEmpty ? "" : " — " + listed)]",
                shape: .poll(
                    question: poll.question,
                    options: options,
                    anonymous: poll.isAnonymous ?? true,
                    multipleAnswers: poll.allowsMultipleAnswers ?? false
                )
            )
        }
        if let venue {
            return NativeContent(
                label: "[venue: \(venue.title), \(venue.address) (\(Self.coordinates(venue.location)))]",
                shape: .venue(latitude: venue.location.latitude, longitude: venue.location.longitude, title: venue.title, address: venue.address)
            )
        }
        if let location {
            return NativeContent(
                label: "[location: \(Self.coordinates(location))]",
                shape: .location(latitude: location.latitude, longitude: location.longitude)
            )
        }
        if let contact {
            let name = [contact.firstName, contact.lastName].compactMap { $0 }.joined(separator: " ")
            return NativeContent(
                label: "[contact: \(name), \(contact.phoneNumber)]",
                shape: .contact(phoneNumber: contact.phoneNumber, firstName: contact.firstName, lastName: contact.lastName)
            )
        }
        // The value is the platform's throw: a die thrown again shows its own.
        if let dice { return NativeContent(label: "[dice \(dice.emoji) \(dice.value)]", shape: .dice(emoji: dice.emoji)) }
        if story != nil { return NativeContent(label: "[story]", shape: .labelled(.story)) }
        if let game { return NativeContent(label: "[game: \(game.title)]", shape: .labelled(.game)) }
        if let invoice { return NativeContent(label: "[invoice: \(invoice.title)]", shape: .labelled(.invoice)) }
        if let checklist {
            let tasks = (checklist.tasks ?? []).map(\.text).joined(separator: " / ")
            return NativeContent(label: "[checklist: \(checklist.title)\(tasks.isEmpty ? "" : " — " + tasks)]", shape: .labelled(.checklist))
        }
        if paidMedia != nil { return NativeContent(label: "[paid media]", shape: .labelled(.paidMedia)) }
        if livePhoto != nil { return NativeContent(label: "[live photo]", shape: .labelled(.livePhoto)) }
        if giveaway != nil { return NativeContent(label: "[giveaway]", shape: .labelled(.giveaway)) }
        return nil
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
