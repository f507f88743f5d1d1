import Foundation
import HedgerowLab
import HedgerowTestSupport
import Testing

/// `hlab outside`: a command on a machine outside the cluster, plugged into the lab's underlay
/// for as long as the command runs. Labs without agents: plain routing through the nodes.
@Suite("hlab outside (privileged)", .serialized)
struct OutsideCommandTests {
    static var twoNodes: String { TestLabFiles.directory + "/two-nodes.yaml" }

    static func upTwoNodes(_ lab: String) throws -> LabState {
        try Hlab.succeed(["up", "--without-agent", "-f", twoNodes, "--name", lab])
        guard let state = try LabStateStore.load(lab: lab) else { throw TestEnvironmentError("lab \(lab) has no state after up") }
        return state
    }

    /// The outside clients' namespaces of `lab` that exist now.
    static func outsiders(_ lab: String) -> [String] {
        let outsider = Outsider.netns(lab: LabNaming(lab: lab), index: 0)
        let prefix = String(outsider.dropLast())  // without the index
        return NetworkNamespaces.list().filter { $0.hasPrefix(prefix) }
    }

    /// Named with the lab's prefix (so `hlab down` removes leftovers) and a '.', which node and
    /// pod namespaces never contain; addresses counted down from the top of the underlay.
    @Test func outsidersAreNamedAndAddressedApartFromNodesAndPods() {
        let naming = LabNaming(lab: "home")
        #expect(Outsider.netns(lab: naming, index: 0) == "hl-home-.outside0")
        #expect(Outsider.netns(lab: naming, index: 7) == "hl-home-.outside7")
        let long = LabNaming(lab: String(repeating: "l", count: 60))
        #expect(Outsider.netns(lab: long, index: 1).hasPrefix(long.netnsPrefix))
        #expect(Outsider.netns(lab: long, index: 1) != Outsider.netns(lab: long, index: 2))
        let cidr = IPv4CIDR("192.168.200.0/24")!
        #expect(Underlay.outsiderAddress(index: 0, in: cidr) == "192.168.200.254")
        #expect(Underlay.outsiderAddress(index: Underlay.reservedForOutsiders - 1, in: cidr) == "192.168.200.247")
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func commandRunsOnTheUnderlayThroughANodeAndLeavesNothing() throws {
        try Privileged.require()
        let lab = Hlab.uniqueLabName()
        defer { Hlab.down(lab) }
        let state = try Self.upTwoNodes(lab)
        let cidr = state.spec.underlayCIDR
        let address = Underlay.outsiderAddress(index: 0, in: cidr)
        let node1 = try #require(state.node(named: "node1")?.underlayAddress)
        let node2 = try #require(state.node(named: "node2")?.underlayAddress)

        // Its own address on the underlay, told to the command; the default route through node1.
        let script = "echo \"$HLAB_OUTSIDE_ADDRESS $HLAB_OUTSIDE_GATEWAY\"; ip -4 -o addr show dev eth0; ip route show default; ping -c 1 -W 2 \(node2) >/dev/null && echo reached-node2"
        let shown = try Hlab.succeed(["outside", "--lab", lab, "--", "sh", "-c", script]).stdout
        #expect(shown.hasPrefix("\(address) \(node1)\n"))
        #expect(shown.contains("inet \(address)/\(cidr.prefixLength)"))
        #expect(shown.contains("default via \(node1) dev eth0"))
        #expect(shown.contains("reached-node2"))
        #expect(Self.outsiders(lab) == [])

        // --via picks the node; the command's exit status comes back.
        let via = try Hlab.succeed(["outside", "--lab", lab, "--via", "node2", "--", "ip", "route", "show", "default"]).stdout
        #expect(via.contains("default via \(node2) dev eth0"))
        #expect(try Hlab.run(["outside", "--lab", lab, "--", "sh", "-c", "exit 7"]).status == 7)
        let unknown = try Hlab.run(["outside", "--lab", lab, "--via", "node9", "--", "true"])
        #expect(unknown.status != 0 && unknown.stderr.contains("node node9 is not in lab \(lab)"))

        // A pod on node2 answers a client whose packets node1 routes across the underlay.
        let pod = try #require(state.pod(namespace: "x", name: "b")?.ip)
        let server = try BackgroundCommand([Hlab.path, "exec", "--lab", lab, "x/b", "--", Hlab.path, "serve", "--tcp", "80", "--id", "b"])
        defer { server.stop() }
        #expect(server.waitForLine("ready"), "serve did not start: \(server.output)")
        let probe = try Hlab.succeed(["outside", "--lab", lab, "--", Hlab.path, "probe", "\(pod):80"])
        #expect(probe.stdout.hasPrefix("connected tcp \(pod):80 reply=\"b probe "))
        #expect(Self.outsiders(lab) == [])
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func clientsSideBySideSignalsAndCrashedLeftovers() throws {
        try Privileged.require()
        let lab = Hlab.uniqueLabName()
        defer { Hlab.down(lab) }
        let state = try Self.upTwoNodes(lab)
        let cidr = state.spec.underlayCIDR

        // Two clients at once get two addresses.
        let first = try BackgroundCommand([Hlab.path, "outside", "--lab", lab, "--", "sh", "-c", "echo \"$HLAB_OUTSIDE_ADDRESS\"; echo ready; exec sleep 60"])
        defer { first.stop() }
        #expect(first.waitForLine("ready"), "outside did not start: \(first.output)")
        #expect(first.output.hasPrefix(Underlay.outsiderAddress(index: 0, in: cidr) + "\n"))
        let second = try Hlab.succeed(["outside", "--lab", lab, "--", "sh", "-c", "echo \"$HLAB_OUTSIDE_ADDRESS\""])
        #expect(second.stdout == Underlay.outsiderAddress(index: 1, in: cidr) + "\n")
        #expect(Self.outsiders(lab).count == 1)

        // SIGTERM to `hlab outside` ends the command, not hlab: the namespace is still removed.
        kill(first.process.processIdentifier, SIGTERM)
        if first.waitForExit(timeout: 10) {
            #expect(first.process.terminationStatus == 128 + SIGTERM)
        } else {
            Issue.record("hlab outside did not end on SIGTERM: \(first.output)")
        }
        #expect(Self.outsiders(lab) == [])

        // A killed `hlab outside` leaves its namespace (and the command in it); `down` removes both.
        let crashed = try BackgroundCommand([Hlab.path, "outside", "--lab", lab, "--", "sh", "-c", "echo ready; exec sleep 60"])
        defer { crashed.stop() }
        #expect(crashed.waitForLine("ready"), "outside did not start: \(crashed.output)")
        kill(crashed.process.processIdentifier, SIGKILL)
        crashed.process.waitUntilExit()
        #expect(Self.outsiders(lab).count == 1)
        try Hlab.succeed(["down", lab])
        #expect(Self.outsiders(lab) == [])
        #expect(try Hlab.traces(of: lab) == [])
    }
}
