import Foundation
import HedgerowTestSupport
import Testing

/// Cilium policies end to end: entities (world, cluster, host, all), CIDR sets with `except`,
/// ingressDeny/egressDeny and port ranges, applied with `hpolicy apply` to a running lab and
/// checked on real connections, from pods, from the node and from a host outside the cluster.
/// For every probed pair `hpolicy trace` must give the verdict the probe saw.
@Suite(.serialized) struct CiliumPolicyLabTests {
    static let podCIDR = "10.244.1.0/24"
    static let outside = "198.51.100"  // TEST-NET-2: the external host's /24

    static let policies = """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {namespace: x, name: b-ingress}
        spec:
          endpointSelector: {matchLabels: {pod: b}}
          ingress:
            - fromEntities: [world]
              toPorts: [{ports: [{port: "80", protocol: TCP}]}]
            - fromEntities: [cluster]
              toPorts: [{ports: [{port: "8080", endPort: 8090, protocol: TCP}]}]
          ingressDeny:
            - fromEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": y}}]
              toPorts: [{ports: [{port: "8085", protocol: TCP}]}]
            - fromEntities: [host]
              toPorts: [{ports: [{port: "8088", protocol: TCP}]}]
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {namespace: x, name: a-egress}
        spec:
          endpointSelector: {matchLabels: {pod: a}}
          egress:
            - toCIDRSet: [{cidr: 198.51.100.0/24, except: [198.51.100.20/32]}]
              toPorts: [{ports: [{port: "80", protocol: TCP}]}]
            - toEntities: [world]
              toPorts: [{ports: [{port: "440", endPort: 450, protocol: TCP}]}]
            - toEntities: [host]
              toPorts: [{ports: [{port: "9100", protocol: TCP}]}]
            - toEndpoints: [{matchLabels: {pod: b}}]
          egressDeny:
            - toCIDR: [198.51.100.10/32]
              toPorts: [{ports: [{port: "443", protocol: TCP}]}]
        ---
        apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata: {name: namespace-y-no-world}
        spec:
          endpointSelector: {matchLabels: {"k8s:io.kubernetes.pod.namespace": y}}
          ingress:
            - fromEntities: [all]
          ingressDeny:
            - fromEntities: [world]
        """

    /// Who connects: a pod, the node, or the external host.
    enum Client: CustomStringConvertible {
        case pod(String), node, external

        var description: String {
            switch self {
            case .pod(let name): name
            case .node: "node"
            case .external: "external host"
            }
        }
    }

    struct Case: CustomStringConvertible {
        var client: Client
        /// A pod ("x/b") or an address.
        var server: String
        var port: Int
        var allowed: Bool
        var why: String
        var description: String { "\(client) -> \(server):\(port)/TCP (\(why))" }
    }

    static let cases: [Case] = [
        Case(client: .external, server: "x/b", port: 80, allowed: true, why: "world allowed on 80"),
        Case(client: .external, server: "x/b", port: 81, allowed: false, why: "default deny"),
        Case(client: .external, server: "x/b", port: 8081, allowed: false, why: "world is not cluster"),
        Case(client: .pod("y/a"), server: "x/b", port: 8081, allowed: true, why: "cluster, range 8080-8090"),
        Case(client: .pod("y/a"), server: "x/b", port: 8085, allowed: false, why: "ingressDeny namespace y"),
        Case(client: .pod("x/a"), server: "x/b", port: 8085, allowed: true, why: "deny is for namespace y only"),
        Case(client: .pod("y/a"), server: "x/b", port: 8091, allowed: false, why: "outside the range"),
        Case(client: .pod("y/a"), server: "x/b", port: 80, allowed: false, why: "a pod is not world"),
        Case(client: .node, server: "x/b", port: 81, allowed: true, why: "the node reaches its pods (host identity)"),
        Case(client: .node, server: "x/b", port: 8088, allowed: false, why: "ingressDeny host"),
        Case(client: .pod("x/a"), server: "\(outside).10", port: 80, allowed: true, why: "toCIDRSet"),
        Case(client: .pod("x/a"), server: "\(outside).20", port: 80, allowed: false, why: "toCIDRSet except"),
        Case(client: .pod("x/a"), server: "\(outside).20", port: 443, allowed: true, why: "world, range 440-450"),
        Case(client: .pod("x/a"), server: "\(outside).10", port: 443, allowed: false, why: "egressDeny toCIDR"),
        Case(client: .pod("x/a"), server: "\(outside).1", port: 9100, allowed: true, why: "toEntities host"),
        Case(client: .pod("x/a"), server: "\(outside).1", port: 9101, allowed: false, why: "host only on 9100"),
        Case(client: .pod("x/a"), server: "y/a", port: 80, allowed: false, why: "x/a egress default deny"),
        Case(client: .external, server: "y/a", port: 80, allowed: false, why: "clusterwide ingressDeny world"),
        Case(client: .pod("x/b"), server: "y/a", port: 80, allowed: true, why: "clusterwide allows all but world"),
    ]

    @Test(.enabled(if: Privileged.shouldRun))
    func ciliumPoliciesAreEnforcedOnRealTrafficAndTraced() throws {
        let lab = try LabHarness(prefix: "e2c")
        defer { lab.down() }
        let endpoints = try LabHarness.eventually("3 endpoints") { try lab.endpoints().count == 3 ? try lab.endpoints() : nil }
        var podIPs: [String: String] = [:]
        for endpoint in endpoints { podIPs["\(endpoint.namespace)/\(endpoint.podName)"] = endpoint.ips.first }
        let external = try LabExternalHost(lab: lab, subnet: Self.outside, hosts: [10, 20], podCIDR: Self.podCIDR)
        defer { external.destroy() }

        let hlab = TestPaths.binary("hlab")
        var servers = [
            try lab.spawn("x/b", [hlab, "serve", "--tcp", "80,81,8081,8085,8088,8091"]),
            try lab.spawn("y/a", [hlab, "serve", "--tcp", "80"]),
            try external.spawn([hlab, "serve", "--tcp", "80,443"]),
            try LabProcess.spawn(lab.nodeCommand("node1", [hlab, "serve", "--tcp", "9100,9101"])),
        ]
        defer {
            for server in servers { LabProcess.stop(server, signal: SIGKILL) }
            servers.removeAll()
        }

        func address(_ server: String) throws -> String {
            server.contains("/") ? try #require(podIPs[server], "no address for \(server)") : server
        }
        func command(_ client: Client, _ arguments: [String]) -> [String] {
            switch client {
            case .pod(let pod): [hlab, "exec", "--lab", lab.name, pod, "--"] + arguments
            case .node: lab.nodeCommand("node1", arguments)
            case .external: external.command(arguments)
            }
        }
        func probe(_ item: Case) throws -> Bool {
            let target = "\(try address(item.server)):\(item.port)"
            return try Shell.capture(command(item.client, [hlab, "probe", target, "--timeout", "500ms"])).status == 0
        }
        // Everything answers before any policy (the servers are up, routes work both ways).
        try LabHarness.eventually("every server, before policies") {
            try Self.cases.allSatisfy { try probe($0) } ? true : nil
        }

        let file = NSTemporaryDirectory() + UniqueName.make("cnp") + ".yaml"
        try Self.policies.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let applied = try lab.hpolicy(["apply", "-f", file])
        #expect(applied.contains("CiliumNetworkPolicy x/b-ingress created"))
        #expect(applied.contains("CiliumNetworkPolicy x/a-egress created"))
        #expect(applied.contains("CiliumClusterwideNetworkPolicy namespace-y-no-world created"))
        #expect(applied.contains("enforced"))

        for item in Self.cases {
            let reached = try probe(item)
            #expect(reached == item.allowed, "probe \(item): reached=\(reached)")
            let (source, destination) = try traceEnds(item, lab: lab, external: external, address: address)
            let trace = try Shell.capture(lab.hpolicyCommand([
                "trace", "--from", source, "--to", destination, "--port", "\(item.port)/TCP",
            ]))
            #expect(trace.status == (reached ? 0 : 1), "trace \(item) disagrees with the probe: \(trace.stdout)\(trace.stderr)")
            #expect(trace.stdout.hasPrefix(reached ? "ALLOWED" : "DENIED"), "trace \(item): \(trace.stdout)")
        }

        // Traces name what decided: the host identity for the node, the deny rule for a deny.
        let node = try Shell.capture(lab.hpolicyCommand([
            "trace", "--from", try lab.nodeSourceAddress(towards: try address("x/b")), "--to", "x/b", "--port", "8088/TCP",
        ])).stdout
        #expect(node.contains("(node) (identity 1 (host))"), "\(node)")
        #expect(node.contains("CiliumNetworkPolicy x/b-ingress"), "\(node)")

        let deleted = try lab.hpolicy(["delete", "-f", file])
        #expect(deleted.contains("CiliumClusterwideNetworkPolicy namespace-y-no-world deleted"))
        for item in Self.cases {
            #expect(try probe(item), "after delete: \(item) should connect")
        }
    }

    /// The `--from`/`--to` of a case's trace: pods by name, the node and the outside by address
    /// (the node by the source address it really uses towards the pod).
    private func traceEnds(
        _ item: Case, lab: LabHarness, external: LabExternalHost, address: (String) throws -> String
    ) throws -> (String, String) {
        let source: String =
            switch item.client {
            case .pod(let pod): pod
            case .node: try lab.nodeSourceAddress(towards: try address(item.server))
            case .external: external.addresses[0]
            }
        return (source, item.server)
    }
}
