import Foundation
import Testing

@testable import HedgerowCore

/// The ready-made policies in policies/: each loads without a problem, and together they do what
/// their comments promise.
@Suite struct PolicyExamplesTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("policies")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".yaml") }
            .sorted()
    }

    static func contents(_ file: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
    }

    @Test func thereAreExamples() {
        #expect(Self.files.count >= 5)
    }

    @Test(arguments: files)
    func loadsCleanly(file: String) throws {
        let contents = try Self.contents(file)
        #expect(contents.hasPrefix("# "), "\(file) starts with a comment saying what it does")
        let parsed = ParsedManifest.parse(file: "policies/\(file)", contents: contents)
        #expect(parsed.errors.map(\.description) == [])
        #expect(parsed.warnings.isEmpty)
        #expect(
            !parsed.items.isEmpty && parsed.items.allSatisfy { if case .policy = $0.object { true } else { false } })
    }

    @Test func togetherTheyDoWhatTheySay() throws {
        let cluster = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: apps}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {namespace: apps, name: web, labels: {app.kubernetes.io/component: web}}
            spec: {containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]}
            status: {podIP: 10.42.0.10}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {namespace: apps, name: db}
            status: {podIP: 10.42.0.11}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {namespace: kube-system, name: coredns, labels: {k8s-app: kube-dns}}
            status: {podIP: 10.42.0.2}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {namespace: kube-system, name: traefik, labels: {app.kubernetes.io/name: traefik}}
            status: {podIP: 10.42.0.3}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {namespace: other, name: client}
            status: {podIP: 10.42.0.20}
            """
        let files = try [("cluster.yaml", cluster)] + Self.files.map { ("policies/\($0)", try Self.contents($0)) }
        let compiler = PolicyCompiler(inputs: PolicyInputs(state: try ClusterState.load(files: files).state))
        func allowed(_ from: String, _ to: String, _ port: UInt16, _ proto: TransportProtocol = .tcp) throws -> Bool {
            try compiler.trace(PolicyTraceQuery(from: key(from), to: key(to), port: port, protocol: proto)).isAllowed
        }
        func allowed(_ from: String, address: String, _ port: UInt16) throws -> Bool {
            try compiler.trace(
                PolicyTraceQuery(
                    source: .pod(key(from)), destination: .address(IPAddress(address)!), proto: 6, port: port)
            ).isAllowed
        }
        // DNS works from the isolated namespace, on 53 only.
        #expect(try allowed("apps/db", "kube-system/coredns", 53, .udp))
        #expect(try allowed("apps/db", "kube-system/coredns", 53, .tcp))
        #expect(try !allowed("apps/db", "kube-system/coredns", 9153))
        // Same namespace: anything; other namespaces: nothing.
        #expect(try allowed("apps/db", "apps/web", 9999))
        #expect(try !allowed("other/client", "apps/db", 5432))
        #expect(try !allowed("apps/web", "other/client", 80))
        // The ingress controller reaches the web pod's named port only.
        #expect(try allowed("kube-system/traefik", "apps/web", 8080))
        #expect(try !allowed("kube-system/traefik", "apps/web", 8081))
        #expect(try !allowed("kube-system/traefik", "apps/db", 8080))
        // The metadata address is denied everywhere, and nothing else outside apps is isolated.
        #expect(try !allowed("other/client", address: "169.254.169.254", 80))
        #expect(try allowed("other/client", address: "1.1.1.1", 443))
        #expect(try !allowed("apps/web", address: "1.1.1.1", 443))
    }
}
