import GatehouseCommands
import Logging

@main
enum Gatehouse {
    static func main() async {
        // Logs go to standard error (the journal under systemd, with each line's priority);
        // standard output carries command output.
        LoggingSystem.bootstrap(JournalLogHandler.standardError)
        await GatehouseCommand.main()
    }
}
