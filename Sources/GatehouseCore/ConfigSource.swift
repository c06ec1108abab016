/// One file a config was read from, as the console shows it and compares it between revisions:
/// a YAML file with every secret written inline masked (secrets belong in `_file`s, which are
/// never read into it), or a keyword list.
public struct ConfigSource: Sendable, Hashable, Codable {
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }

    /// What stands for a masked secret.
    public static let mask = "\"••••••\""
}
