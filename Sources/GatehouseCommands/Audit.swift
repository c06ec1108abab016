import ArgumentParser

/// `gatehouse audit …`: read the audit log. Every subcommand is read-only and safe while the
/// daemon runs.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the audit log: query it, export it for an auditor.",
        subcommands: [
            AuditVerify.self, AuditQueryCommand.self, AuditExport.self, AuditProve.self, AuditSubject.self, AuditErase.self, AuditKeygen.self,
            AuditContentKey.self,
        ]
    )
}
