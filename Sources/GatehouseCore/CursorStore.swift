/// Where an adapter keeps its place in a platform's stream between runs (the Telegram getUpdates
/// offset), so that a restart resumes where the last run stopped instead of replaying what the
/// platform still retains. The ledger is the store: the cursor lives with the commits it follows.
public protocol CursorStore: Sendable {
    /// The cursor last saved for `platform`, if any.
    func cursor(for platform: String) async throws -> String?

    /// Saves `platform`'s cursor. Call it only once everything before the cursor is committed.
    func saveCursor(_ value: String, for platform: String) async throws
}
