import Foundation
import HedgerowAPI
import HedgerowTestSupport
import SwiftProtobuf

/// A lab brought up through the real `hlab` CLI, for end-to-end tests. Everything goes through
/// the commands a user types; `down()` must leave nothing behind (tests check that too).
struct LabHarness {
    let name: String
    let file: String

    static let stateRoot = "/run/hedgerow-lab"

    init(file: String = "labs/basic.yaml", prefix: String = "e2e") throws {
        try Privileged.require()
        name = UniqueName.make(prefix)
        self.file = TestPaths.repositoryRoot.appendingPathComponent(file).path
        try Self.hlab(["up", "-f", self.file, "--name", name, "--bin-dir", TestPaths.binaries.path,
                       "--bpf-dir", TestPaths.bpfObjects.path])
    }

    var stateDirectory: String { "\(Self.stateRoot)/\(name)" }
    func agentSocket(node: String = "node1") -> String { "\(stateDirectory)/\(node)/agent.sock" }
    func pinDirectory(node: String = "node1") -> String { "/sys/fs/bpf/hedgerow/\(name)-\(node)" }

    func down() { _ = try? Self.hlab(["down", name]) }

    @discardableResult
    static func hlab(_ arguments: [String]) throws -> String {
        try Shell.run([TestPaths.binary("hlab")] + arguments)
    }

    @discardableResult
    func exec(_ pod: String, _ command: [String]) throws -> String {
        try Self.hlab(["exec", "--lab", name, pod, "--"] + command)
    }

    func execStatus(_ pod: String, _ command: [String]) throws -> Int32 {
        try Shell.capture([TestPaths.binary("hlab"), "exec", "--lab", name, pod, "--"] + command).status
    }

    /// Starts a long-running command in a pod; the returned process is terminated by the caller.
    func spawn(_ pod: String, _ command: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.binary("hlab"))
        process.arguments = ["exec", "--lab", name, pod, "--"] + command
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func hagent(_ arguments: [String], node: String = "node1") throws -> String {
        try Shell.run([TestPaths.binary("hagent")] + arguments + ["--api-socket", agentSocket(node: node)])
    }

    func endpoints(node: String = "node1") throws -> [Hedgerow_Agent_V1_Endpoint] {
        let json = try hagent(["endpoints", "-o", "json"], node: node)
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = false
        return try Hedgerow_Agent_V1_ListEndpointsResponse(jsonString: json, options: options).endpoints
    }

    func status(node: String = "node1") throws -> Hedgerow_Agent_V1_StatusResponse {
        try Hedgerow_Agent_V1_StatusResponse(jsonString: try hagent(["status", "-o", "json"], node: node))
    }

    /// Waits (bounded) until `condition` holds; the last error or a timeout message is thrown.
    @discardableResult
    static func eventually<T>(
        timeout: Duration = .seconds(10), _ what: String, _ condition: () throws -> T?
    ) throws -> T {
        let deadline = ContinuousClock.now + timeout
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                if let value = try condition() { return value }
            } catch { lastError = error }
            usleep(100_000)
        }
        throw TestEnvironmentError("timed out waiting for \(what)\(lastError.map { ": \($0)" } ?? "")")
    }
}

extension LabHarness {
    struct FilterCount: Equatable { var ingress: Int; var egress: Int }

    /// Hedgerow's tc filters on a host-side interface of the node, as `tc` shows them.
    func filters(on interface: String, node: String = "node1") throws -> FilterCount {
        func count(_ direction: String) throws -> Int {
            try Self.hlab(["node-exec", "--lab", name, node, "--", "tc", "filter", "show", "dev", interface, direction])
                .split(separator: "\n").filter { $0.contains("direct-action") }.count
        }
        return FilterCount(ingress: try count("ingress"), egress: try count("egress"))
    }

    func endpointMapEntries(node: String = "node1") throws -> Int {
        let dump = try Shell.run("bpftool", "-j", "map", "dump", "pinned", "\(pinDirectory(node: node))/hedgerow_endpoints")
        let entries = try JSONSerialization.jsonObject(with: Data(dump.utf8)) as? [Any]
        return entries?.count ?? -1
    }

    func killAgent(node: String = "node1") throws {
        try Self.hlab(["agent", "kill", "--lab", name, node])
    }

    func startAgent(node: String = "node1") throws {
        try Self.hlab(["agent", "start", "--lab", name, node])
    }

    /// Restarts the node's agent with extra `hagent run` arguments (the node's agent-arguments
    /// file, which hlab reads at every agent start).
    func restartAgent(with arguments: [String], node: String = "node1") throws {
        try (arguments.joined(separator: "\n") + "\n").write(
            toFile: "\(stateDirectory)/\(node)/agent-arguments", atomically: true, encoding: .utf8)
        try killAgent(node: node)
        try startAgent(node: node)
    }

    /// The cached CNI ADD result of a pod (what the runtime would pass as prevResult).
    func cniResult(pod: String) throws -> String {
        let result = try podState(pod)["cniResult"] as Any
        return String(decoding: try JSONSerialization.data(withJSONObject: result), as: UTF8.self)
    }

    func containerID(pod: String) throws -> String {
        guard let id = try podState(pod)["containerID"] as? String else { throw TestEnvironmentError("no container id for \(pod)") }
        return id
    }

    private func podState(_ pod: String) throws -> [String: Any] {
        let state = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: "\(stateDirectory)/state.json"))) as? [String: Any]
        let pods = state?["pods"] as? [[String: Any]] ?? []
        let parts = pod.split(separator: "/").map(String.init)
        guard let match = pods.first(where: {
            let spec = $0["spec"] as? [String: Any]
            return spec?["namespace"] as? String == parts[0] && spec?["name"] as? String == parts[1]
        }) else { throw TestEnvironmentError("no state for \(pod)") }
        return match
    }

    /// Nothing of the lab remains: namespaces, cgroups, pins, state, links named after it.
    func expectNothingLeft() throws {
        let namespaces = try Shell.run("ip", "netns", "list")
        if namespaces.contains("hl-\(name)-") { throw TestEnvironmentError("namespaces left: \(namespaces)") }
        for path in ["/sys/fs/cgroup/unified/hedgerow-lab-\(name)", pinDirectory(), stateDirectory]
        where FileManager.default.fileExists(atPath: path) {
            throw TestEnvironmentError("\(path) was left behind")
        }
    }
}
