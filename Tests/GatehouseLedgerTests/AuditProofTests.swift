import Foundation
import GatehouseCore
import GatehouseLedger
import GatehouseTesting
import Testing

/// `audit prove` output, checked by an implementation that shares no code with Gatehouse:
/// Tests/Tools/verify-tlog-proof.py (Python's hashlib for RFC 6962, `cryptography` for Ed25519).
@Suite struct AuditProofTests {
    static let python =
        ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        ?? ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map { "\($0)/python3" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tools/verify-tlog-proof.py").path

    @Test(arguments: LedgerBackend.available) func proofsVerifyInsideGatehouse(_ backend: LedgerBackend) async throws {
        let (reader, key) = try await Self.log(records: 21, on: backend)
        for record in [1, 2, 11, 20, 21] as [Int64] {
            let proof = try reader.proof(of: record)
            #expect(proof.hasPrefix("c2sp.org/tlog-proof@v1\nextra "))
            #expect(proof.contains("\nindex \(record - 1)\n"))
            #expect(proof.hasSuffix(key.signer.verifier.name + " " + (proof.split(separator: " ").last.map(String.init) ?? "")))
        }
        #expect(throws: LedgerError.self) { try reader.proof(of: 22) }
    }

    @Test(.enabled(if: python != nil, "needs python3"), arguments: LedgerBackend.available)
    func proofsVerifyWithAnIndependentImplementation(_ backend: LedgerBackend) async throws {
        let (reader, key) = try await Self.log(records: 21, on: backend)
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for record in [1, 7, 16, 21] as [Int64] {
            let path = "\(directory)/\(record).tlog-proof"
            try reader.proof(of: record).write(toFile: path, atomically: true, encoding: .utf8)
            let (status, output) = try Self.run([Self.script, path, key.verifierKey])
            #expect(status == 0, "\(output)")
            #expect(output.contains("inclusion: leaf \(record - 1) of 21"))
        }
        // A proof for a changed leaf does not verify.
        let proof = try reader.proof(of: 7)
        let lines = proof.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let tampered = lines.map { $0.hasPrefix("extra ") ? "extra " + Data("{\"sequence\":7}".utf8).base64EncodedString() : $0 }
        try tampered.joined(separator: "\n").write(toFile: "\(directory)/bad.tlog-proof", atomically: true, encoding: .utf8)
        #expect(try Self.run([Self.script, "\(directory)/bad.tlog-proof"]).0 != 0)
    }

    /// A log of `records` records with checkpoints at 10, 20 and the end.
    static func log(
        records count: Int,
        on backend: LedgerBackend
    ) async throws -> (LedgerReader, (signer: NoteSigner, privateKey: Secret, verifierKey: String)) {
        let log = try await Fixtures.checkpointedLog(records: count, every: 10, on: backend)
        return (log.log.reader, log.key)
    }

    static func run(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python ?? "python3")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
