// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "gatehouse",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gatehouse", targets: ["gatehouse"]),
        .library(name: "GatehouseCore", targets: ["GatehouseCore"]),
        .library(name: "GatehouseLedger", targets: ["GatehouseLedger"]),
        .library(name: "GatehouseEmulators", targets: ["GatehouseEmulators"]),
        // For the benchmarks, which run the whole gateway against the emulators.
        .library(name: "GatehouseConfig", targets: ["GatehouseConfig"]),
        .library(name: "GatehouseRuntime", targets: ["GatehouseRuntime"]),
        .library(name: "GatehouseCommands", targets: ["GatehouseCommands"]),
        // For the benchmarks (the console's pages over a large log).
        .library(name: "GatehouseConsole", targets: ["GatehouseConsole"]),
        // For the fuzz targets (Fuzz/), which feed outside bytes to the adapters' parsers.
        .library(name: "TelegramAdapter", targets: ["TelegramAdapter"]),
        .library(name: "DingTalkAdapter", targets: ["DingTalkAdapter"]),
        // What the tests share (services run around a body, free ports), for the benchmarks too.
        .library(name: "GatehouseTesting", targets: ["GatehouseTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // Vocabulary, routing, policy, rendering and the Adapter seam. Pure: no I/O.
        .target(name: "GatehouseCore"),
        .target(
            name: "GatehouseConfig",
            dependencies: [
                "GatehouseCore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "GatehouseLedger",
            dependencies: [
                "GatehouseCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .target(
            name: "GatehouseRuntime",
            dependencies: [
                "GatehouseCore", "GatehouseConfig", "GatehouseLedger",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // The web console: server-rendered pages on their own listener, people signed in with
        // the company's DingTalk app.
        .target(
            name: "GatehouseConsole",
            dependencies: [
                "GatehouseCore", "GatehouseConfig", "GatehouseLedger", "GatehouseRuntime",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "TelegramAdapter",
            dependencies: [
                "GatehouseCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Adapters/Telegram"
        ),
        .target(
            name: "DingTalkAdapter",
            dependencies: [
                "GatehouseCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Adapters/DingTalk"
        ),
        // Stand-alone platform servers written from the documentation; imports nothing of ours.
        .target(
            name: "GatehouseEmulators",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "GatehouseCommands",
            dependencies: [
                "GatehouseCore", "GatehouseConfig", "GatehouseLedger", "GatehouseRuntime", "GatehouseConsole",
                "TelegramAdapter", "DingTalkAdapter", "GatehouseEmulators",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The demo's config, built in so that `gatehouse demo` runs from any directory
            // (Config/demo.yaml links to it).
            resources: [.copy("Resources/demo.yaml")]
        ),
        .executableTarget(
            name: "gatehouse",
            dependencies: ["GatehouseCommands", .product(name: "Logging", package: "swift-log")]
        ),

        // Bounds how many tests run at once (see its source); linked into the test binary through
        // GatehouseTesting.
        .target(name: "GatehouseTestingWidth", path: "Tests/Support/GatehouseTestingWidth"),
        .target(
            name: "GatehouseTesting",
            dependencies: [
                "GatehouseCore", "GatehouseLedger", "GatehouseTestingWidth",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/Support/GatehouseTesting"
        ),
        .testTarget(name: "GatehouseCoreTests", dependencies: ["GatehouseCore", "GatehouseTesting"]),
        .testTarget(name: "GatehouseConfigTests", dependencies: ["GatehouseConfig"]),
        .testTarget(name: "GatehouseLedgerTests", dependencies: ["GatehouseLedger", "GatehouseTesting"]),
        .testTarget(
            name: "GatehouseRuntimeTests",
            dependencies: [
                "GatehouseRuntime", "GatehouseConfig", "GatehouseLedger", "GatehouseTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "GatehouseConsoleTests",
            dependencies: [
                "GatehouseConsole", "GatehouseRuntime", "GatehouseConfig", "GatehouseLedger", "GatehouseTesting",
                "DingTalkAdapter", "GatehouseEmulators",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "TelegramAdapterTests", dependencies: ["TelegramAdapter", "GatehouseEmulators", "GatehouseTesting"]),
        // TelegramAdapter for the round trips of formatting between the two platforms.
        .testTarget(
            name: "DingTalkAdapterTests",
            dependencies: ["DingTalkAdapter", "TelegramAdapter", "GatehouseEmulators", "GatehouseTesting"],
            // Golden files, read from the source tree by the tests that check them.
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "GatehouseEmulatorsTests",
            dependencies: [
                "GatehouseEmulators",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // Read from the source tree by the tests that need them.
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "GatehouseCommandsTests",
            dependencies: ["GatehouseCommands", "GatehouseConfig", "GatehouseLedger", "GatehouseRuntime", "GatehouseTesting"],
            // Golden files of `explain`, read from the source tree by the tests that check them.
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "GatehouseCommands", "GatehouseConfig", "GatehouseLedger", "GatehouseRuntime", "GatehouseEmulators", "GatehouseTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)
