import GatehouseCore

/// What the console needs on a standby instance of a shared ledger: the console there shows every
/// page but changes nothing (a standby holds no lease, so it must not write the ledger), says
/// which instance is active, and has each use of it audited by the active instance.
public struct ConsoleStandby: Sendable {
    /// This instance's name.
    public var instance: String
    /// The active instance's name, as last seen; nil while none holds the lease.
    public var activeInstance: @Sendable () -> String?
    /// Has the active instance append a `console_access` record (what was done, by whom); throws
    /// when no active instance answers, and then nobody is signed in and nothing is exported.
    public var record: @Sendable (_ what: String, _ person: ReviewerIdentity?) async throws -> Void

    public init(
        instance: String,
        activeInstance: @escaping @Sendable () -> String?,
        record: @escaping @Sendable (_ what: String, _ person: ReviewerIdentity?) async throws -> Void
    ) {
        self.instance = instance
        self.activeInstance = activeInstance
        self.record = record
    }

    /// The line each page shows at its top.
    var banner: String {
        let active = activeInstance().map { "\($0) is the active instance" } ?? "no instance is active"
        return
            "This instance (\(instance)) stands by: \(active). Pages here are read-only; approve, reject, retry and cancel on the active instance's console."
    }
}
