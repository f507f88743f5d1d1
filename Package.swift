// swift-tools-version:6.1
// Hedgerow: identity-based network policy, service translation and flow observability in eBPF.
// Layering (docs/ARCHITECTURE.md): executables -> Agent/API -> Datapath -> Core, BPF, Netlink.
// HedgerowCore imports nothing of ours; HedgerowBPF and HedgerowNetlink import only their C targets.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let grpc: [Target.Dependency] = [
    .product(name: "GRPCCore", package: "grpc-swift-2"),
    .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
    .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
    .product(name: "SwiftProtobuf", package: "swift-protobuf"),
]

let package = Package(
    name: "Hedgerow",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hagent", targets: ["hagent"]),
        .executable(name: "hedgerow-cni", targets: ["hedgerow-cni"]),
        .executable(name: "hlab", targets: ["hlab"]),
        .executable(name: "hflow", targets: ["hflow"]),
        .executable(name: "hpolicy", targets: ["hpolicy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.0"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        // Kubernetes API client (HedgerowKubernetes); NIOSSL for its TLS configuration types.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        // SHA-256 for kube-proxy's chain names in the comparison benchmark (already in the graph).
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"6.0.0"),
    ],
    targets: [
        // MARK: C libraries and shims
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CLibBPF", path: "Sources/CLibBPF", pkgConfig: "libbpf",
            providers: [.apt(["libbpf-dev", "libelf-dev", "zlib1g-dev"])]),
        .target(name: "CLibBPFShim", dependencies: ["CLibBPF"], path: "Sources/CLibBPFShim"),
        .systemLibrary(
            name: "CLibMNL", path: "Sources/CLibMNL", pkgConfig: "libmnl",
            providers: [.apt(["libmnl-dev"])]),
        .target(name: "CLibMNLShim", dependencies: ["CLibMNL"], path: "Sources/CLibMNLShim"),
        .target(name: "CHedgerowABI", path: "Sources/CHedgerowABI"),

        // MARK: Libraries, bottom up
        .target(name: "HedgerowBPF", dependencies: ["CLibBPF", "CLibBPFShim"], swiftSettings: strict),
        .target(name: "HedgerowNetlink", dependencies: ["CLibMNL", "CLibMNLShim"], swiftSettings: strict),
        .target(name: "HedgerowCore", dependencies: [.product(name: "Yams", package: "Yams")], swiftSettings: strict),
        // Flow history on disk: zlib-compressed, checksummed, rotated segments with a time index (issue #7).
        .target(name: "HedgerowFlowLog", dependencies: ["HedgerowCore", "CZlib"], swiftSettings: strict),
        .target(name: "HedgerowCNI", swiftSettings: strict),
        .target(
            name: "HedgerowDatapath",
            dependencies: ["HedgerowCore", "HedgerowBPF", "HedgerowNetlink", "CHedgerowABI"],
            swiftSettings: strict),
        .target(name: "HedgerowAPI", dependencies: ["HedgerowCore"] + grpc, exclude: ["Generated/README.md"], swiftSettings: strict),
        .target(
            name: "HedgerowAgent",
            dependencies: [
                "HedgerowAPI", "HedgerowDatapath", "HedgerowCore", "HedgerowNetlink", "HedgerowKubernetes", "HedgerowFlowLog", logging,
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ] + grpc,
            swiftSettings: strict),
        .target(
            name: "HedgerowKubernetes",
            dependencies: [
                "HedgerowCore", logging, .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict),
        .target(
            name: "HedgerowLab",
            dependencies: ["HedgerowCNI", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),

        .target(name: "HedgerowCLI", dependencies: ["HedgerowAPI", argumentParser], swiftSettings: strict),

        // MARK: Executables (thin)
        .executableTarget(
            name: "hagent", dependencies: ["HedgerowAgent", "HedgerowAPI", "HedgerowCLI", "HedgerowKubernetes", argumentParser, logging] + grpc,
            swiftSettings: strict),
        .executableTarget(
            name: "hpolicy",
            dependencies: ["HedgerowAPI", "HedgerowCLI", "HedgerowCore", argumentParser, .product(name: "Yams", package: "Yams")] + grpc,
            swiftSettings: strict),
        .executableTarget(
            name: "hedgerow-cni", dependencies: ["HedgerowCNI", "HedgerowAPI"] + grpc, swiftSettings: strict),
        .executableTarget(
            name: "hflow", dependencies: ["HedgerowAPI", "HedgerowCore", argumentParser] + grpc, swiftSettings: strict),
        .executableTarget(name: "hlab", dependencies: ["HedgerowLab", argumentParser], swiftSettings: strict),

        // MARK: Benchmarks (`make bench`; they print a table and write JSON under bench/results)
        .executableTarget(name: "bench-policy-compile", dependencies: ["HedgerowCore"], path: "bench/policy-compile", swiftSettings: strict),
        .executableTarget(name: "bench-maglev", dependencies: ["HedgerowCore"], path: "bench/maglev", swiftSettings: strict),
        .executableTarget(
            name: "bench-datapath", dependencies: ["HedgerowBPF", "HedgerowCore", "HedgerowDatapath"], path: "bench/datapath",
            swiftSettings: strict),
        .executableTarget(
            name: "bench-flow-log", dependencies: ["HedgerowCore", "HedgerowFlowLog"], path: "bench/flow-log", swiftSettings: strict),
        // kube-proxy's iptables rules, generated for the comparison (benchmark code, not product code).
        .target(
            name: "KubeProxyRules", dependencies: ["HedgerowCore", .product(name: "Crypto", package: "swift-crypto")],
            path: "bench/kube-proxy-rules", swiftSettings: strict),
        .executableTarget(
            name: "bench-kube-proxy", dependencies: ["HedgerowBPF", "HedgerowCore", "HedgerowDatapath", "KubeProxyRules"],
            path: "bench/kube-proxy", swiftSettings: strict),
        .executableTarget(
            name: "bench-flows", dependencies: ["HedgerowAgent", "HedgerowAPI", "HedgerowBPF", "HedgerowCore"] + grpc, path: "bench/flows",
            swiftSettings: strict),

        // MARK: Test support and tests
        .target(name: "HedgerowTestSupport", path: "Tests/HedgerowTestSupport", swiftSettings: strict),
        .testTarget(name: "HedgerowBPFTests", dependencies: ["HedgerowBPF", "HedgerowTestSupport"], swiftSettings: strict),
        .testTarget(name: "HedgerowNetlinkTests", dependencies: ["HedgerowNetlink", "HedgerowTestSupport"], swiftSettings: strict),
        .testTarget(name: "HedgerowCoreTests", dependencies: ["HedgerowCore"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "HedgerowCNITests", dependencies: ["HedgerowCNI"], swiftSettings: strict),
        .testTarget(name: "HedgerowFlowLogTests", dependencies: ["HedgerowFlowLog", "HedgerowCore"], swiftSettings: strict),
        .testTarget(name: "KubeProxyRulesTests", dependencies: ["KubeProxyRules", "HedgerowCore"], swiftSettings: strict),
        .testTarget(
            name: "HedgerowDatapathTests",
            dependencies: ["HedgerowDatapath", "CHedgerowABI", "HedgerowBPF", "HedgerowTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "HedgerowKubernetesTests",
            dependencies: [
                "HedgerowKubernetes", "HedgerowCore", "HedgerowTestSupport", logging,
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "HedgerowAgentTests", dependencies: ["HedgerowAgent", "HedgerowDatapath", "HedgerowBPF", "CHedgerowABI", "HedgerowTestSupport"],
            swiftSettings: strict),
        .testTarget(name: "HFlowTests", dependencies: ["hflow", "HedgerowAPI", "HedgerowTestSupport"] + grpc, swiftSettings: strict),
        .testTarget(name: "HedgerowLabTests", dependencies: ["HedgerowLab", "HedgerowTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["HedgerowAPI", "HedgerowTestSupport", .product(name: "Yams", package: "Yams")] + grpc,
            exclude: ["Conformance/cases"],
            swiftSettings: strict),
    ]
)
