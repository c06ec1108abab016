import GatehouseCommands
import Logging

@main
enum Gatehouse {
    static func main() async {
        // Logs go to standard error (the journal under systemd); standard output carries command output.
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        await GatehouseCommand.main()
    }
}
