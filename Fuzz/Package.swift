// swift-tools-version:6.0
// libFuzzer targets over the emulator's request decoding and schema-driven generation.
// Kept apart from the main package so that normal builds never compile them; run scripts/fuzz.sh.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, so the root package's identity is the name of
/// the checkout's directory (e.g. "openai-emulator" or "main").
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

let package = Package(
    name: "openai-emulator-fuzz",
    dependencies: [
        .package(path: ".."),
    ],
    targets: [
        .target(name: "CFuzzerDriver"),
        .executableTarget(
            name: "FuzzRequests",
            dependencies: ["CFuzzerDriver", .product(name: "Emulator", package: rootIdentity)]
        ),
        .executableTarget(
            name: "FuzzSchema",
            dependencies: ["CFuzzerDriver", .product(name: "Emulator", package: rootIdentity)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
