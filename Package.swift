// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "openai-emulator",
    products: [
        .executable(name: "openai-emulator", targets: ["openai-emulator"]),
        .library(name: "Emulator", targets: ["Emulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        // libcurl for the upstream proxy, loaded at run time (dlopen) only when one is configured.
        .systemLibrary(name: "CCurl"),
        .target(
            name: "Emulator",
            dependencies: [
                "CMicroHTTPD",
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .executableTarget(
            name: "openai-emulator",
            dependencies: [
                "Emulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")],
            // libmicrohttpd's reads go through the Emulator module's `recv` (ReceiveStamps.swift).
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic-symbol=recv"])]
        ),
        .testTarget(
            name: "EmulatorTests",
            dependencies: ["Emulator", "openai-emulator"],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
