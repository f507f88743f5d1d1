// swift-tools-version:6.1
// Builds the protoc plugins that `make proto` uses to regenerate Sources/HedgerowAPI/Generated.
// Kept apart from the main package so that ordinary builds never compile the code generators.
import PackageDescription

let package = Package(
    name: "hedgerow-protoc-plugins",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
    ],
    targets: [
        // SwiftPM needs one target of our own; the plugins are built as dependency products.
        .executableTarget(name: "noop", path: "noop")
    ]
)
