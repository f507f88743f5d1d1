import Foundation
import HedgerowTestSupport
import Testing

/// Two nodes joined by the lab's underlay: pods reach each other across nodes, each agent
/// resolves the identities of the other node's pods through its ipcache and enforces a policy
/// read from the shared manifests directory (as every agent of a cluster reads the same API),
/// and the flows of a cross-node drop name the pods of both nodes.
@Suite(.serialized) struct TwoNodeLabTests {
    static let policy = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {namespace: x, name: b-from-x}
        spec:
          podSelector: {matchLabels: {pod: b}}
          ingress: [{from: [{podSelector: {}}], ports: [{port: 80, protocol: TCP}]}]
        """

    @Test(.enabled(if: Privileged.shouldRun))
    func crossNodeTrafficIsRoutedAndPolicedByIdentity() throws {
        let lab = try LabHarness(file: "labs/two-nodes.yaml", prefix: "e2n")
        defer { lab.down() }
        let onNode1 = try LabHarness.eventually("2 endpoints on node1") { try lab.endpoints(node: "node1").count == 2 ? try lab.endpoints(node: "node1") : nil }
        let onNode2 = try LabHarness.eventually("1 endpoint on node2") { try lab.endpoints(node: "node2").count == 1 ? try lab.endpoints(node: "node2") : nil }
        #expect(Set(onNode1.map { "\($0.namespace)/\($0.podName)" }) == ["x/a", "y/a"])
        let server = try #require(onNode2.first)
        #expect("\(server.namespace)/\(server.podName)" == "x/b")
        let serverIP = try #require(server.ips.first)
        #expect(serverIP.hasPrefix("10.244.2."))

        let echo = try lab.spawn("x/b", [TestPaths.binary("hlab"), "serve", "--tcp", "80"])
        defer { echo.terminate(); echo.waitUntilExit() }
        func reaches(_ client: String) throws -> Bool {
            try lab.execStatus(client, [TestPaths.binary("hlab"), "probe", "\(serverIP):80", "--timeout", "500ms"]) == 0
        }
        try LabHarness.eventually("x/a reaches x/b across nodes") { try reaches("x/a") ? true : nil }
        #expect(try reaches("y/a"))

        // Identities of pods on node1 are the same numbers on node2 (both agents derive them from
        // the same labels), so node2 can tell x/a from y/a by address.
        let file = "\(lab.stateDirectory)/manifests/policy-b-from-x.yaml"
        try Self.policy.write(toFile: file, atomically: true, encoding: .utf8)
        try LabHarness.eventually("the policy to deny y/a on node2") { try reaches("y/a") ? nil : true }
        #expect(try reaches("x/a"))

        let flows = try LabHarness.eventually("the cross-node drop in node2's flows") { () -> String? in
            let output = try Shell.run([
                TestPaths.binary("hflow"), "observe", "--server", "unix://\(lab.agentSocket(node: "node2"))", "--last", "200",
                "--verdict", "DROPPED", "--print-node-name",
            ])
            return output.contains("y/a:") ? output : nil
        }
        #expect(flows.contains("-> x/b:80"))
        #expect(flows.contains("Policy denied DROPPED"))
        #expect(flows.split(separator: "\n").allSatisfy { $0.contains(" [node2]: ") })

        try FileManager.default.removeItem(atPath: file)
        try LabHarness.eventually("y/a allowed again once the policy file is gone") { try reaches("y/a") ? true : nil }
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func downRemovesTheUnderlayToo() throws {
        let lab = try LabHarness(file: "labs/two-nodes.yaml", prefix: "e2u")
        var removed = false
        defer { if !removed { lab.down() } }
        let namespaces = try Shell.run("ip", "netns", "list")
        #expect(namespaces.contains("hl-\(lab.name)-.underlay"))
        let routes = try LabHarness.hlab(["node-exec", "--lab", lab.name, "node1", "--", "ip", "route", "show", "10.244.2.0/24"])
        #expect(routes.contains("via 192.168.200.2 dev eth0"))
        lab.down()
        removed = true
        try lab.expectNothingLeft()
    }
}
