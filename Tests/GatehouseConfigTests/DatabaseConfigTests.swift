import Foundation
import GatehouseConfig
import GatehouseCore
import Testing

/// `state:` naming a PostgreSQL ledger: a URL, or a mapping with the password in a file; every
/// mistake named where it is, and never a password in the URL.
@Suite struct DatabaseConfigTests {
    func yaml(_ state: String) -> String { state + "\n" + RulesConfigTests.base }

    @Test func aFolderIsSQLiteAndAURLIsPostgreSQL() throws {
        let folder = try ConfigLoader(environment: [:]).load(yaml: yaml("state: ./st"), file: "/etc/gatehouse/g.yaml")
        #expect(folder.state == "/etc/gatehouse/st" && folder.database == nil)
        let url = try ConfigLoader(environment: ["STATE_DIRECTORY": "/var/lib/gatehouse"]).load(
            yaml: yaml("state: postgres://gh@db.internal:6432/ledger?sslmode=verify-full&sslrootcert=ca.pem"),
            file: "/etc/gatehouse/g.yaml"
        )
        let database = try #require(url.database)
        #expect(url.state == "/var/lib/gatehouse")
        #expect(database.location.host == "db.internal" && database.location.port == 6432 && database.location.user == "gh")
        #expect(database.location.database == "ledger" && database.location.tls == .verifyFull)
        // Relative to the config's folder, as every path in it.
        #expect(database.location.caFile == "/etc/gatehouse/ca.pem")
        #expect(database.location.password == nil && database.lease == .seconds(5))
        #expect(database.location.description == "postgres://gh@db.internal:6432/ledger?sslmode=verify-full")
    }

    @Test func theMappingReadsThePasswordFromItsFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gh-db-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "s3cret-pw\n".write(toFile: "\(directory)/pg", atomically: true, encoding: .utf8)
        let config = try ConfigLoader(environment: ["CREDENTIALS_DIRECTORY": directory]).load(
            yaml: yaml(
                """
                state:
                  url: postgres://gh@127.0.0.1/ledger
                  password_file: $CREDENTIALS_DIRECTORY/pg
                  lease: 8s
                """
            ),
            file: "/etc/gatehouse/g.yaml"
        )
        let database = try #require(config.database)
        #expect(database.location.password == "s3cret-pw" && database.lease == .seconds(8))
        // Never shown: not in the location's description.
        #expect(!database.location.description.contains("s3cret"))
    }

    @Test(arguments: [
        ("state: postgres://gh:pw@db/ledger", "1:8: error: state: the URL holds a password; write it to a file and name it in state.password_file"),
        (
            "state: postgres://gh@db/ledger?sslmode=sometimes",
            "1:8: error: state: sslmode sometimes is not one of disable, prefer, require, verify-ca, verify-full"
        ),
        ("state: postgres://gh@db/ledger?pool=9", "1:8: error: state: unknown URL parameter pool"),
        ("state: postgres://gh@db:99999/ledger", "1:8: error: state: port 99999 is out of range"),
        ("state: { password_file: /x }", "1:8: error: state has no 'url'"),
        (
            "state: { url: postgres://gh@db/l, lease: 1s }",
            "1:42: error: state.lease must be between 2s and 60s (a standby takes over once it runs out)"
        ),
        ("state: { url: postgres://gh@db/l, pool: 3 }", "1:35: error: unknown key 'pool' in state"),
    ])
    func aBadDatabaseIsReportedWhereItIs(state: String, expected: String) {
        let found = RulesConfigTests().diagnostics(yaml(state))
        #expect(found.first == "/etc/gatehouse/g.yaml:" + expected, "\(found)")
    }
}
