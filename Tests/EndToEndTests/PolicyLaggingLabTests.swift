import Foundation
import HedgerowAPI
import HedgerowTestSupport
import Testing

/// Lagging endpoints, for real: a policy whose entries for one endpoint exceed the per-endpoint
/// policy map limit is stored and enforced everywhere else, while that endpoint keeps its
/// previous policy, whole, and `hpolicy apply` exits 3 naming it. Once the policy fits, the next
/// apply brings the endpoint up to date (it is retried on every change).
@Suite(.serialized) struct PolicyLaggingLabTests {
    static let previous = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {namespace: x, name: b-from-a}
        spec:
          podSelector: {matchLabels: {pod: b}}
          ingress:
            - from: [{podSelector: {matchLabels: {pod: a}}}]
              ports: [{port: 80, protocol: TCP}]
        """

    /// A policy for x/b that also lets y/a in on 80 (the visible change) next to `cidrs` CIDRs
    /// times 170 separate ports (every other port from 2000: no two share a port prefix), and a
    /// default-deny ingress for y/a that fits anywhere.
    static func oversized(cidrs: Int) -> String {
        let blocks = (0..<cidrs).map { "172.16.\($0).0/24" }.joined(separator: ", ")
        let portRules = (0..<5).map { rule in
            let ports = (0..<34).map { #"{port: "\#(2000 + 2 * (rule * 34 + $0))", protocol: TCP}"# }.joined(separator: ", ")
            return "        - ports: [\(ports)]"
        }.joined(separator: "\n")
        return """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {namespace: x, name: b-wide}
            spec:
              endpointSelector: {matchLabels: {pod: b}}
              ingress:
                - fromEndpoints: [{matchLabels: {pod: a, "k8s:io.kubernetes.pod.namespace": y}}]
                  toPorts: [{ports: [{port: "80", protocol: TCP}]}]
                - fromCIDR: [\(blocks)]
                  toPorts:
            \(portRules)
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {namespace: y, name: a-closed}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
            """
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func anEndpointThatCannotEnforceIsNamedAndKeepsItsPreviousPolicy() throws {
        let lab = try LabHarness(prefix: "e2g")
        defer { lab.down() }
        let endpoints = try LabHarness.eventually("3 endpoints") { try lab.endpoints().count == 3 ? try lab.endpoints() : nil }
        let b = try #require(endpoints.first { $0.namespace == "x" && $0.podName == "b" })
        let yA = try #require(endpoints.first { $0.namespace == "y" && $0.podName == "a" })
        let hlab = TestPaths.binary("hlab")
        var servers = [try lab.spawn("x/b", [hlab, "serve", "--tcp", "80"]), try lab.spawn("y/a", [hlab, "serve", "--tcp", "80"])]
        defer { for server in servers { LabProcess.stop(server) }; servers.removeAll() }
        func reaches(_ client: String, _ server: Hedgerow_Agent_V1_Endpoint) throws -> Bool {
            try lab.execStatus(client, [hlab, "probe", "\(server.ips[0]):80", "--timeout", "500ms"]) == 0
        }
        try LabHarness.eventually("the servers") { try reaches("x/a", b) && reaches("x/b", yA) ? true : nil }

        let work = NSTemporaryDirectory() + UniqueName.make("lag")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Self.previous.write(toFile: "\(work)/previous.yaml", atomically: true, encoding: .utf8)
        try lab.hpolicy(["apply", "-f", "\(work)/previous.yaml"])
        #expect(try reaches("x/a", b))
        #expect(try !reaches("y/a", b))

        // 100 CIDRs x 170 ports = 17,000 entries for x/b: more than the limit of 16,384.
        try Self.oversized(cidrs: 100).write(toFile: "\(work)/wide.yaml", atomically: true, encoding: .utf8)
        let lagging = try Shell.capture(lab.hpolicyCommand(["apply", "-f", "\(work)/wide.yaml"]))
        #expect(lagging.status == 3, "exit \(lagging.status): \(lagging.stderr)")
        #expect(lagging.stdout.contains("CiliumNetworkPolicy x/b-wide created"))
        #expect(lagging.stderr.contains("x/b (endpoint \(b.id))"), "\(lagging.stderr)")
        #expect(lagging.stderr.contains("17") && lagging.stderr.contains("16384"), "\(lagging.stderr)")
        #expect(!lagging.stderr.contains("y/a"), "y/a enforces its policy: \(lagging.stderr)")

        // x/b is on its previous policy, whole: x/a in, y/a still out. y/a is on the new one.
        #expect(try reaches("x/a", b))
        #expect(try !reaches("y/a", b))
        #expect(try !reaches("x/b", yA))
        #expect(try lab.hpolicy(["get"]).contains("b-wide"))
        // Nothing of the oversized policy was written, not even into x/b's idle generation.
        let dump = try Shell.run("bpftool", "-j", "map", "dump", "pinned", "\(lab.pinDirectory())/hedgerow_policy")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(dump.utf8)) as? [Any])
        #expect(entries.count < 100, "\(entries.count) policy map entries")

        // Every later change retries the lagging endpoint: still too big, still named.
        let again = try Shell.capture(lab.hpolicyCommand(["apply", "-f", "\(work)/wide.yaml"]))
        #expect(again.status == 3 && again.stderr.contains("x/b (endpoint \(b.id))"), "\(again.stderr)")

        // Made to fit, the same policy is enforced by x/b too.
        try Self.oversized(cidrs: 10).write(toFile: "\(work)/wide.yaml", atomically: true, encoding: .utf8)
        let fits = try Shell.capture(lab.hpolicyCommand(["apply", "-f", "\(work)/wide.yaml"]))
        #expect(fits.status == 0, "\(fits.stderr)")
        #expect(fits.stdout.contains("CiliumNetworkPolicy x/b-wide configured") && fits.stdout.contains("enforced"))
        #expect(try reaches("y/a", b))
        #expect(try reaches("x/a", b))
    }
}
