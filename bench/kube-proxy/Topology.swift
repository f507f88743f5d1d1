import Foundation

/// The machine the comparison runs on, built from unique names and registered with `Cleanup`:
///
///     node namespace (client) --veth-- server namespace
///     10.131.<n>.1/24                  10.131.<n>.2/24, and every address of 10.128.0.0/16
///                                      (a local route), answered by one listener on :8080
///
/// Each side (and each size) gets a fresh node namespace, so the iptables rules (and the
/// conntrack they switch on) of one never touch another; the server namespace is shared.
final class Topology: Sendable {
    static let backendPrefix = "10.128.0.0/16"
    static let backendPort: UInt16 = 8080

    let tag: String
    let serverNetns: String
    let workDirectory: String
    let executable: String

    init(executable: String) throws {
        guard geteuid() == 0 else { throw BenchError("run as root: the benchmark creates namespaces and loads BPF programs") }
        tag = String(getpid(), radix: 36)
        serverNetns = "hkp-\(tag)-srv"
        workDirectory = "/tmp/hkp-\(tag)"
        self.executable = executable
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        let work = workDirectory
        Cleanup.shared.add("remove \(work)") { try? FileManager.default.removeItem(atPath: work) }
        try addNamespace(serverNetns)
        try Spawn.sh("ip", "-n", serverNetns, "link", "set", "lo", "up")
        try Spawn.sh("ip", "-n", serverNetns, "route", "add", "local", Self.backendPrefix, "dev", "lo")
        try startServer()
    }

    @discardableResult
    private func addNamespace(_ name: String) throws -> Int {
        try Spawn.sh("ip", "netns", "add", name)
        return Cleanup.shared.add("delete netns \(name)") { _ = try? Spawn.sh("ip", "netns", "delete", name) }
    }

    private func startServer() throws {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: executable)
        server.arguments = ["serve", serverNetns, String(Self.backendPort)]
        let output = Pipe()
        server.standardOutput = output
        try server.run()
        Cleanup.shared.add("stop server") {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        guard String(decoding: output.fileHandleForReading.availableData, as: UTF8.self).contains("ready") else {
            throw BenchError("the backend server in \(serverNetns) did not start")
        }
    }

    /// A fresh node namespace wired to the server; `remove()` takes it down again.
    func makeNode(index: Int) throws -> NodeNamespace {
        let name = "hkp-\(tag)-n\(index)"
        let hostVeth = "hkp\(tag)s\(index)"
        let token = try addNamespace(name)
        let subnet = "10.131.\(index)"
        try Spawn.sh("ip", "-n", name, "link", "set", "lo", "up")
        try Spawn.sh("ip", "-n", name, "link", "add", "eth0", "type", "veth", "peer", "name", hostVeth, "netns", serverNetns)
        try Spawn.sh("ip", "-n", name, "addr", "add", "\(subnet).1/24", "dev", "eth0")
        try Spawn.sh("ip", "-n", name, "link", "set", "eth0", "up")
        try Spawn.sh("ip", "-n", serverNetns, "addr", "add", "\(subnet).2/24", "dev", hostVeth)
        try Spawn.sh("ip", "-n", serverNetns, "link", "set", hostVeth, "up")
        // Backends and (for iptables, which routes before it DNATs) the VIPs go to the server.
        try Spawn.sh("ip", "-n", name, "route", "add", "default", "via", "\(subnet).2")
        return NodeNamespace(name: name, address: "\(subnet).1", cleanupToken: token)
    }
}

struct NodeNamespace: Sendable {
    let name: String
    let address: String
    let cleanupToken: Int

    /// Deletes the namespace: its veth, iptables rules and conntrack entries go with it.
    func remove() { Cleanup.shared.run(cleanupToken) }
}
