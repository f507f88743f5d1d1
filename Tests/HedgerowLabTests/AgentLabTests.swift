import Foundation
@testable import HedgerowLab
import HedgerowTestSupport
import Testing

/// A lab with agents: hagent runs detached in the node netns and cgroup, hedgerow-cni is
/// chained after ptp, and hlab's CNI ADD/DEL register and remove endpoints.
@Suite("hlab labs with agents (privileged)", .serialized)
struct AgentLabTests {
    @Test(.enabled(if: Privileged.shouldRun))
    func agentRunsInTheNodeAndEndpointsFollowCNI() throws {
        try Privileged.require()
        let lab = Hlab.uniqueLabName()
        defer { Hlab.down(lab) }
        try Hlab.succeed(["up", "-f", Hlab.basicLab, "--name", lab, "--bin-dir", TestPaths.binaries.path, "--bpf-dir", TestPaths.bpfObjects.path])
        let state = try #require(try LabStateStore.load(lab: lab))
        let node = state.nodes[0]
        let agent = try #require(node.agentPID)

        // Detached, in the node's cgroup and network namespace.
        let cgroup = try String(contentsOfFile: "/proc/\(agent)/cgroup", encoding: .utf8)
        #expect(cgroup.contains("0::/hedgerow-lab-\(lab)/node1"))
        let agentNet = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(agent)/ns/net")
        let nodeNet = try Hlab.succeed(["node-exec", "--lab", lab, "node1", "--", "readlink", "/proc/self/ns/net"]).stdout
        #expect(agentNet == nodeNet.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(getsid(agent) == agent)

        let b = try #require(state.pod(namespace: "x", name: "b"))
        let endpoints = { try Shell.run([TestPaths.binary("hagent"), "endpoints", "--api-socket", node.agentSocket]) }
        #expect(try endpoints().contains(b.ip!))
        // Traffic still flows with the agent's programs on the veths.
        let server = try BackgroundCommand([Hlab.path, "exec", "--lab", lab, "x/b", "--", Hlab.path, "serve", "--tcp", "80"])
        defer { server.stop() }
        #expect(server.waitForLine("ready"), "serve did not start: \(server.output)")
        try Hlab.succeed(["exec", "--lab", lab, "y/a", "--", Hlab.path, "probe", "\(b.ip!):80"])

        try Hlab.succeed(["delete-pod", "--lab", lab, "x/b"])
        #expect(try !endpoints().contains(b.ip!), "CNI DEL did not remove the endpoint")

        try Hlab.succeed(["down", lab])
        #expect(Processes.waitForExit(agent, timeout: 5), "the agent survived down")
        #expect(try Hlab.traces(of: lab) == [])
    }
}
