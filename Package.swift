// swift-tools-version:6.1
// Hedgerow: identity-based network policy, service translation and flow observability in eBPF.
// Layering (see docs/ARCHITECTURE.md): executables -> Agent/API -> Datapath -> Core, BPF, Netlink.
// HedgerowCore imports nothing of ours; HedgerowBPF and HedgerowNetlink import only their C targets.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Hedgerow",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
    ],
    targets: [
        // MARK: C libraries and shims
        .systemLibrary(
            name: "CLibBPF", path: "Sources/CLibBPF", pkgConfig: "libbpf",
            providers: [.apt(["libbpf-dev", "libelf-dev", "zlib1g-dev"])]),
        .target(name: "CLibBPFShim", dependencies: ["CLibBPF"], path: "Sources/CLibBPFShim"),
        .systemLibrary(
            name: "CLibMNL", path: "Sources/CLibMNL", pkgConfig: "libmnl",
            providers: [.apt(["libmnl-dev"])]),
        .target(name: "CLibMNLShim", dependencies: ["CLibMNL"], path: "Sources/CLibMNLShim"),
        .target(name: "CHedgerowABI", path: "Sources/CHedgerowABI"),

        // MARK: Libraries
        .target(name: "HedgerowBPF", dependencies: ["CLibBPF", "CLibBPFShim"], swiftSettings: strict),
        .target(name: "HedgerowNetlink", dependencies: ["CLibMNL", "CLibMNLShim"], swiftSettings: strict),
        .target(name: "HedgerowCore", dependencies: [.product(name: "Yams", package: "Yams")], swiftSettings: strict),
        .target(name: "HedgerowCNI", swiftSettings: strict),
        .target(
            name: "HedgerowLab",
            dependencies: ["HedgerowCNI", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),

        // MARK: Executables
        .executableTarget(
            name: "hlab",
            dependencies: ["HedgerowLab", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),

        // MARK: Test support and tests
        .target(name: "HedgerowTestSupport", path: "Tests/HedgerowTestSupport", swiftSettings: strict),
        .testTarget(name: "HedgerowBPFTests", dependencies: ["HedgerowBPF", "HedgerowTestSupport"], swiftSettings: strict),
        .testTarget(name: "HedgerowNetlinkTests", dependencies: ["HedgerowNetlink", "HedgerowTestSupport"], swiftSettings: strict),
        .testTarget(name: "HedgerowCoreTests", dependencies: ["HedgerowCore"], swiftSettings: strict),
        .testTarget(name: "HedgerowCNITests", dependencies: ["HedgerowCNI"], swiftSettings: strict),
        .testTarget(name: "HedgerowLabTests", dependencies: ["HedgerowLab", "HedgerowTestSupport"], swiftSettings: strict),
    ]
)
