import Foundation
import HedgerowTestSupport
import Testing

/// Policy end to end: hpolicy applies a NetworkPolicy to a running agent, real connections are
/// allowed and denied accordingly, `hpolicy trace` agrees with the probes, a bad file changes
/// nothing, and deleting the policy restores connectivity.
@Suite(.serialized) struct PolicyLabTests {
    static let policy = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {namespace: x, name: b-from-a}
        spec:
          podSelector: {matchLabels: {pod: b}}
          ingress:
            - from: [{podSelector: {matchLabels: {pod: a}}}]
              ports: [{port: 80, protocol: TCP}]
        """

    @Test(.enabled(if: Privileged.shouldRun))
    func networkPolicyIsEnforcedAndTraced() throws {
        let lab = try LabHarness(prefix: "e2p")
        defer { lab.down() }
        let endpoints = try LabHarness.eventually("3 endpoints") { try lab.endpoints().count == 3 ? try lab.endpoints() : nil }
        let serverIP = try #require(endpoints.first { $0.namespace == "x" && $0.podName == "b" }?.ips.first)
        let echo = try lab.spawn("x/b", [TestPaths.binary("hlab"), "serve", "--tcp", "80", "--udp", "80"])
        defer { echo.terminate(); echo.waitUntilExit() }
        func reaches(_ client: String, _ proto: String) throws -> Bool {
            try lab.execStatus(client, [TestPaths.binary("hlab"), "probe", "\(serverIP):80", "--protocol", proto, "--timeout", "500ms"]) == 0
        }
        try LabHarness.eventually("the echo server") { try reaches("y/a", "tcp") ? true : nil }
        #expect(endpoints.allSatisfy { $0.identity >= 256 })

        let file = NSTemporaryDirectory() + UniqueName.make("pol") + ".yaml"
        try Self.policy.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let applied = try lab.hpolicy(["apply", "-f", file])
        #expect(applied.contains("NetworkPolicy x/b-from-a created"))
        #expect(applied.contains("enforced"))

        #expect(try reaches("x/a", "tcp"))
        #expect(try !reaches("y/a", "tcp"))
        #expect(try !reaches("x/a", "udp"))

        let allowed = try Shell.capture(lab.hpolicyCommand(["trace", "--from", "x/a", "--to", "x/b", "--port", "80/TCP"]))
        #expect(allowed.status == 0 && allowed.stdout.hasPrefix("ALLOWED"))
        let denied = try Shell.capture(lab.hpolicyCommand(["trace", "--from", "y/a", "--to", "x/b", "--port", "80/TCP"]))
        #expect(denied.status == 1 && denied.stdout.hasPrefix("DENIED"))

        // The flows say the same, as `hubble observe` would print them.
        let flows = try LabHarness.eventually("the drop in hflow") { () -> String? in
            let output = try Shell.run([
                TestPaths.binary("hflow"), "observe", "--server", "unix://\(lab.agentSocket())", "--last", "200",
            ])
            return output.contains("Policy denied DROPPED") ? output : nil
        }
        #expect(flows.contains("y/a:") && flows.contains("-> x/b:80"))
        #expect(flows.contains("x/a:") && flows.contains("to-endpoint FORWARDED (TCP Flags: SYN)"))
        let json = try Shell.run([
            TestPaths.binary("hflow"), "observe", "--server", "unix://\(lab.agentSocket())", "--last", "200",
            "--verdict", "DROPPED", "-o", "json",
        ])
        #expect(json.contains("\"drop_reason_desc\":\"POLICY_DENIED\""))
        #expect(json.contains("\"pod_name\":\"a\"") && json.contains("\"namespace\":\"y\""))

        // A bad file is rejected with its field path; the policy in force stays in force.
        let bad = NSTemporaryDirectory() + UniqueName.make("bad") + ".yaml"
        try Self.policy.replacingOccurrences(of: "ingress:", with: "ingres:").write(toFile: bad, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let rejected = try Shell.capture(lab.hpolicyCommand(["apply", "-f", bad]))
        #expect(rejected.status == 1)
        #expect(rejected.stderr.contains("spec.ingres"))
        #expect(try !reaches("y/a", "tcp"))
        #expect(try reaches("x/a", "tcp"))

        let deleted = try lab.hpolicy(["delete", "NetworkPolicy/x/b-from-a"])
        #expect(deleted.contains("NetworkPolicy x/b-from-a deleted"))
        #expect(try reaches("y/a", "tcp"))
        #expect(try reaches("x/a", "udp"))
    }
}

extension LabHarness {
    func hpolicyCommand(_ arguments: [String], node: String = "node1") -> [String] {
        [TestPaths.binary("hpolicy")] + arguments + ["--api-socket", agentSocket(node: node)]
    }

    @discardableResult
    func hpolicy(_ arguments: [String], node: String = "node1") throws -> String {
        try Shell.run(hpolicyCommand(arguments, node: node))
    }
}
