import Foundation

// `gatehouse-fuzz TARGET [libFuzzer options] [corpus directories]`: runs one fuzz target under
// libFuzzer's driver (linked from the toolchain's libclang_rt.fuzzer_no_main; see Fuzz/run.sh).

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

var arguments = CommandLine.arguments
guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
    FileHandle.standardError.write(Data("usage: gatehouse-fuzz TARGET [libFuzzer options] [corpus…]\ntargets: \(names)\n".utf8))
    exit(2)
}
arguments.remove(at: 1)
FuzzTarget.selected = target
// Built before the first input, so that the cost is not charged to it (nor its allocations taken
// for a leak).
Harness.shared.prepare(for: target)

var argc = Int32(arguments.count)
var cStrings = arguments.map { strdup($0) } + [nil]
let status = cStrings.withUnsafeMutableBufferPointer { buffer in
    var argv = buffer.baseAddress
    return runDriver(&argc, &argv) { data, size in
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        FuzzTarget.selected.run(bytes)
        return 0
    }
}
exit(status)
