// swift-tools-version: 6.1
// Benchmarks live in their own package so that `swift build` of Gatehouse stays lean.
// Run from this directory: swift package benchmark
import PackageDescription

let package = Package(
    name: "GatehouseBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "gatehouse", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "PolicyScan",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "GatehouseCore", package: "gatehouse"),
            ],
            path: "Benchmarks/PolicyScan",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "LedgerThroughput",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "GatehouseCore", package: "gatehouse"),
                .product(name: "GatehouseLedger", package: "gatehouse"),
            ],
            path: "Benchmarks/LedgerThroughput",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
