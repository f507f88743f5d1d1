import Foundation
import HedgerowTestSupport

/// A host outside the cluster, for `world` and CIDR rules: a network namespace of the test's
/// own, linked to the lab's node namespace by a veth pair, with a route to the pod CIDR through
/// the node. Policy sees its addresses as world (or as a policy's CIDR identity).
///
///     node namespace  <nodeAddress>/24 ── veth ── <addresses>/24  external namespace
///
/// `destroy()` deletes the namespace, which deletes both ends of the pair.
struct LabExternalHost {
    let namespace: String
    /// The node's end of the link (a node address: the host identity).
    let nodeAddress: String
    /// The external addresses; the first is the source of the host's own connections.
    let addresses: [String]

    /// - Parameter subnet: a /24 outside the lab's pod CIDRs, e.g. "198.51.100" (TEST-NET-2).
    init(lab: LabHarness, node: String = "node1", subnet: String, hosts: [Int], podCIDR: String) throws {
        let nodeNetns = try lab.nodeNetns(node)
        namespace = UniqueName.make("hrx")
        nodeAddress = "\(subnet).1"
        addresses = hosts.map { "\(subnet).\($0)" }
        let nodeEnd = UniqueName.make("hrn"), hostEnd = UniqueName.make("hre")
        try Shell.run("ip", "netns", "add", namespace)
        do {
            try Shell.run("ip", "link", "add", nodeEnd, "type", "veth", "peer", "name", hostEnd)
            try Shell.run("ip", "link", "set", hostEnd, "netns", namespace)
            try Shell.run("ip", "link", "set", nodeEnd, "netns", nodeNetns)
            try Shell.run("ip", "-n", nodeNetns, "addr", "add", "\(nodeAddress)/24", "dev", nodeEnd)
            try Shell.run("ip", "-n", nodeNetns, "link", "set", nodeEnd, "up")
            for address in addresses {
                try Shell.run("ip", "-n", namespace, "addr", "add", "\(address)/24", "dev", hostEnd)
            }
            try Shell.run("ip", "-n", namespace, "link", "set", "lo", "up")
            try Shell.run("ip", "-n", namespace, "link", "set", hostEnd, "up")
            try Shell.run("ip", "-n", namespace, "route", "add", podCIDR, "via", nodeAddress)
        } catch {
            destroy()
            throw error
        }
    }

    func destroy() { _ = try? Shell.capture(["ip", "netns", "delete", namespace]) }

    /// A command in the external namespace (no bpffs or cgroup needed there, so `ip netns exec`).
    func command(_ arguments: [String]) -> [String] { ["ip", "netns", "exec", namespace] + arguments }

    /// Starts a long-running command in the namespace; stop it with `LabProcess.stop(_:signal: SIGKILL)`.
    func spawn(_ arguments: [String]) throws -> Process {
        try LabProcess.spawn(command(arguments))
    }
}

enum LabProcess {
    /// Starts a long-running command; the caller terminates it.
    static func spawn(_ command: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// SIGTERM by default. Commands started with `ip netns exec` need SIGKILL: a Swift process
    /// may spawn with SIGTERM blocked, and `ip` does not unblock it before exec (`hlab exec`
    /// does, see docs/ARCHITECTURE.md decision 9).
    static func stop(_ process: Process, signal: Int32 = SIGTERM) {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
    }
}

extension LabHarness {
    /// The network namespace of a node, from the lab's state file.
    func nodeNetns(_ node: String = "node1") throws -> String {
        let state = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: "\(stateDirectory)/state.json"))) as? [String: Any]
        let nodes = state?["nodes"] as? [[String: Any]] ?? []
        guard let netns = nodes.first(where: { $0["name"] as? String == node })?["netns"] as? String else {
            throw TestEnvironmentError("no netns for node \(node) in \(stateDirectory)/state.json")
        }
        return netns
    }

    /// A command run in a node's namespace and cgroup.
    func nodeCommand(_ node: String = "node1", _ command: [String]) -> [String] {
        [TestPaths.binary("hlab"), "node-exec", "--lab", name, node, "--"] + command
    }

    /// The source address the node uses towards `address` (what policy sees of the node).
    func nodeSourceAddress(towards address: String, node: String = "node1") throws -> String {
        let route = try Shell.run(nodeCommand(node, ["ip", "-o", "route", "get", address]))
        let words = route.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let index = words.firstIndex(of: "src"), index + 1 < words.count else {
            throw TestEnvironmentError("no source address in `ip route get \(address)`: \(route)")
        }
        return words[index + 1]
    }
}
