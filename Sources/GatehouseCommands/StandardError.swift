import Foundation

/// Writes a line to standard error (diagnostics must not mix with a command's output).
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
