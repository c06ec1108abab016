// swift-tools-version: 6.1
import PackageDescription

// Coverage-guided fuzzing (libFuzzer) of every parser that takes outside bytes. Its own package,
// so that the main build never needs libFuzzer: `Fuzz/run.sh` builds it with the sanitizer and
// coverage flags and runs each target (Fuzz/README.md).
let package = Package(
    name: "gatehouse-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "gatehouse", path: ".."),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "gatehouse-fuzz",
            dependencies: [
                .product(name: "GatehouseCore", package: "gatehouse"),
                .product(name: "GatehouseConfig", package: "gatehouse"),
                .product(name: "GatehouseRuntime", package: "gatehouse"),
                .product(name: "TelegramAdapter", package: "gatehouse"),
                .product(name: "DingTalkAdapter", package: "gatehouse"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        )
    ]
)
