import Foundation
import HedgerowTestSupport
import Testing

/// `make demo`'s script, run end to end on the two-node homelab: both verdicts in both nodes'
/// flows, the NodePort reached from outside, the api service with backends on both nodes, the
/// denied pair explained, and nothing left behind.
@Suite struct DemoTests {
    @Test(.enabled(if: Privileged.shouldRun))
    func demoShowsTheHomelabAllowingAndDenyingAndLeavesNothing() throws {
        try Privileged.require()
        let script = TestPaths.repositoryRoot.appendingPathComponent("scripts/demo.sh").path
        var environment = ProcessInfo.processInfo.environment
        environment["HEDGEROW_BIN_DIR"] = TestPaths.binaries.path
        environment["HEDGEROW_BPF_DIR"] = TestPaths.bpfObjects.path
        let result = try Shell.capture(["bash", script], environment: environment)
        let output = result.stdout
        #expect(result.status == 0, "demo failed: \(result.stderr)\n\(output)")
        let lines = output.split(separator: "\n").map(String.init)

        // Every probe ended as the policies say (the script marks the others UNEXPECTED).
        #expect(!output.contains("UNEXPECTED"))
        func probe(_ label: String) -> String? { lines.first { $0.hasPrefix("  \(label)") } }
        #expect(probe("outside -> node1 192.168.200.1:30080")?.contains("ALLOWED  connected tcp 192.168.200.1:30080 reply=\"frontend ") == true)
        #expect(probe("outside -> node2 192.168.200.2:30080")?.contains("ALLOWED  connected tcp 192.168.200.2:30080 reply=\"frontend ") == true)
        #expect(probe("shop/frontend -> api VIP 10.96.0.30:8080")?.contains("ALLOWED  connected tcp 10.96.0.30:8080 reply=\"api-") == true)
        #expect(probe("shop/api-1 (node1) -> data/db")?.contains("ALLOWED  connected") == true)
        #expect(probe("shop/frontend -> data/db")?.contains("DENIED ") == true)
        #expect(probe("outside -> data/db")?.contains("DENIED ") == true)

        // The api service on node2's agent, with one backend on each node.
        let api = try #require(lines.firstIndex { $0.contains("shop/api ") && $0.contains("10.96.0.30:8080/TCP") && $0.contains("ClusterIP") })
        let backendNodes = lines[api...].prefix(2).compactMap { $0.split(separator: " ").last.map(String.init) }
        #expect(Set(backendNodes) == ["node1", "node2"], "api backends: \(lines[api...].prefix(2))")
        #expect(lines.contains { $0.contains("shop/frontend") && $0.contains("*:30080/TCP") && $0.contains("NodePort") })

        // Flows from both agents: forwarded and dropped on each node.
        for node in ["node1", "node2"] {
            let flows = lines.filter { $0.contains(" [\(node)]: ") }
            #expect(flows.contains { $0.contains("FORWARDED") }, "no FORWARDED flow from \(node)")
            #expect(flows.contains { $0.contains("Policy denied DROPPED") }, "no DROPPED flow from \(node)")
        }
        #expect(lines.contains { $0.contains(" [node1]: shop/frontend:") && $0.contains("-> data/db:5432") && $0.contains("DROPPED") })
        #expect(lines.contains { $0.contains("(world) -> data/db:5432") && $0.contains("DROPPED") })
        #expect(output.contains("egress at shop/frontend: default deny: selected by NetworkPolicy shop/default-deny"))

        // Audit mode: the planned deny passes both connections and reports them as AUDIT on each
        // api pod's node; its dry run says both would become denied; suggestions for data.
        #expect(probe("shop/frontend -> shop/api-1")?.contains("ALLOWED  connected") == true)
        #expect(probe("shop/frontend -> shop/api-2")?.contains("ALLOWED  connected") == true)
        for node in ["node1", "node2"] {
            #expect(lines.contains { $0.contains(" [\(node)]: shop/frontend:") && $0.contains("AUDITED") }, "no AUDIT flow from \(node)")
        }
        #expect(lines.contains { $0.hasPrefix("shop/frontend") && $0.contains("shop/api-1") && $0.contains("DENIED") })
        #expect(output.contains("# Least-privilege policies for namespace data"))
        #expect(output.contains("name: suggested-db"))

        // The elapsed time, and no namespace of the lab (pods, nodes, underlay, outside clients) left.
        #expect(output.firstMatch(of: /demo finished in [0-9]+\.[0-9] s/) != nil)
        let lab = try #require(output.firstMatch(of: /Bringing up lab (demo[0-9]+)/)?.output.1)
        #expect(output.contains("network namespaces of \(lab) left: 0"))
        #expect(!(try Shell.run("ip", "netns", "list")).contains("hl-\(lab)-"))
    }
}
