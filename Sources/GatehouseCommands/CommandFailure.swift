/// A command that cannot do its work for a reason that is not a usage mistake: printed as
/// `Error: …` without the usage text, exit 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
