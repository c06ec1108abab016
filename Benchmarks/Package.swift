// swift-tools-version: 6.1
// Benchmarks live in their own package so that `swift build` of Gatehouse stays lean.
// Run from this directory: swift package benchmark
import PackageDescription

/// What a benchmark that runs the whole gateway against the emulators needs.
let gateway: [Target.Dependency] = [
    .product(name: "Benchmark", package: "benchmark"),
    .product(name: "GatehouseCore", package: "gatehouse"),
    .product(name: "GatehouseConfig", package: "gatehouse"),
    .product(name: "GatehouseLedger", package: "gatehouse"),
    .product(name: "GatehouseRuntime", package: "gatehouse"),
    .product(name: "GatehouseCommands", package: "gatehouse"),
    .product(name: "GatehouseEmulators", package: "gatehouse"),
    .product(name: "GatehouseTesting", package: "gatehouse"),
    "GatewayBench",
    .product(name: "AsyncHTTPClient", package: "async-http-client"),
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
]

let package = Package(
    name: "GatehouseBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "gatehouse", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .target(
            name: "GatewayBench",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GatehouseEmulators", package: "gatehouse"),
            ],
            path: "Benchmarks/GatewayBench"
        ),
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
        .executableTarget(
            name: "FanOut",
            dependencies: gateway,
            path: "Benchmarks/FanOut",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Latency",
            dependencies: gateway + [.product(name: "NIOPosix", package: "swift-nio")],
            path: "Benchmarks/Latency",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Flood",
            dependencies: gateway + [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/Flood",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ConsolePages",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "GatehouseCore", package: "gatehouse"),
                .product(name: "GatehouseConfig", package: "gatehouse"),
                .product(name: "GatehouseLedger", package: "gatehouse"),
                .product(name: "GatehouseRuntime", package: "gatehouse"),
                .product(name: "GatehouseConsole", package: "gatehouse"),
                .product(name: "GatehouseTesting", package: "gatehouse"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/ConsolePages",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
