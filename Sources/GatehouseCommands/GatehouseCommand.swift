import ArgumentParser

/// `gatehouse`: the compliance gateway between an internal workspace and the outside world.
public struct GatehouseCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "The one door between DingTalk and Telegram: every crossing decided by rules and audited.",
        version: GatehouseVersion.current,
        subcommands: [
            Run.self, Check.self, Explain.self, Audit.self, LedgerCommand.self, Status.self, Holds.self, Queue.self, Reload.self, Announce.self,
            Withdraw.self, Desk.self, ConsoleCommand.self,
            Demo.self,
            Emulate.self,
        ]
    )

    public init() {}
}
