import Foundation
import GRPCCore
import HedgerowAPI

/// A lab (`labs/basic.yaml`) for the end-to-end flow benchmarks, built with the `hlab` next to
/// this executable, and the few things they need from it. Root only; `down()` removes it.
struct BenchLab {
    let name: String
    let binaries: String
    let bpfDirectory: String
    let root: String
    let agentSocket: String
    let nodeNetns: String
    private(set) var agentPID: pid_t

    init(binaries: String, bpfDirectory: String) throws {
        self.binaries = binaries
        self.bpfDirectory = bpfDirectory
        name = "fbench\(getpid() % 100_000)"
        root = "/run/hedgerow-lab/\(name)"
        try BenchShell.run([binaries + "/hlab", "up", "-f", "labs/basic.yaml", "--name", name, "--bin-dir", binaries, "--bpf-dir", bpfDirectory])
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/state.json"))) as? [String: Any]
        guard let node = (state?["nodes"] as? [[String: Any]])?.first, let socket = node["agentSocket"] as? String,
            let pid = node["agentPID"] as? Int, let netns = node["netns"] as? String
        else { throw BenchFailure("\(root)/state.json: no node with agentSocket, agentPID and netns") }
        agentSocket = socket
        agentPID = pid_t(pid)
        nodeNetns = netns
    }

    func down() { _ = try? BenchShell.run([binaries + "/hlab", "down", name]) }

    /// The pod's network namespace, as hlab names it (LabNaming.podNetns).
    func podNetns(_ pod: String) -> String { "hl-\(name)-" + pod.replacingOccurrences(of: "/", with: "-") }

    /// Endpoints by "namespace/pod", once all three are ready.
    func endpoints() async throws -> [String: Hedgerow_Agent_V1_Endpoint] {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let list = try await withAgent(socketPath: agentSocket) {
                try await $0.listEndpoints(Hedgerow_Agent_V1_ListEndpointsRequest()).endpoints
            }
            if list.count == 3 && list.allSatisfy({ $0.state == .ready }) {
                return Dictionary(uniqueKeysWithValues: list.map { ("\($0.namespace)/\($0.podName)", $0) })
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchFailure("lab \(name): endpoints not ready after 30 s")
    }

    func agentStatus() async throws -> Hedgerow_Agent_V1_StatusResponse {
        try await withAgent(socketPath: agentSocket) { try await $0.status(Hedgerow_Agent_V1_StatusRequest()) }
    }

    func observerStatus() async throws -> Observer_ServerStatusResponse {
        try await withObserver(.unixSocket(path: agentSocket)) { try await $0.serverStatus(Observer_ServerStatusRequest()) }
    }

    /// Replaces the lab's agent with a fresh one started with `extraArguments` (e.g. a larger
    /// flow ring), in the node's network namespace (nsenter joins only that, so bpffs stays
    /// visible), and waits until it has adopted the endpoints.
    mutating func restartAgent(_ extraArguments: [String]) async throws {
        try BenchShell.run([binaries + "/hlab", "agent", "kill", "--lab", name, "node1"])
        let command = [
            "/usr/bin/nsenter", "--net=/run/netns/\(nodeNetns)", binaries + "/hagent", "run", "--node-name", "node1",
            "--manifests", root + "/manifests", "--pin-dir", "/sys/fs/bpf/hedgerow/\(name)-node1", "--state-dir", root + "/node1/agent",
            "--api-socket", agentSocket, "--bpf-dir", bpfDirectory, "--metrics-listen", "off", "--log-level", "warning",
        ] + extraArguments
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: root + "/logs/node1-agent.log") ?? FileHandle.nullDevice
        try process.run()
        // nsenter execs hagent in place: the pid is the agent's.
        agentPID = process.processIdentifier
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let status = try? await observerStatus(), status.maxFlows > 0, (try? await endpoints())?.count == 3 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchFailure("restarted agent not ready after 30 s (log \(root)/logs/node1-agent.log)")
    }

    /// Stops an agent this benchmark started itself (hlab down only stops the one it started).
    func stopOwnAgent() {
        kill(agentPID, SIGTERM)
        var status: Int32 = 0
        waitpid(agentPID, &status, 0)
    }

    /// The agent's VmRSS in bytes.
    func agentResidentBytes() throws -> Int { try agentMemory().resident }

    /// VmRSS and its parts: RssAnon is the agent's own heap and stacks; RssFile is file-backed
    /// pages (the binary and Swift runtime libraries, shared with other processes) plus the
    /// mmapped BPF ring buffer (its data pages are mapped twice).
    func agentMemory() throws -> (resident: Int, anonymous: Int, fileBacked: Int) {
        let status = try String(contentsOfFile: "/proc/\(agentPID)/status", encoding: .utf8)
        func field(_ name: String) throws -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
                let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
            else { throw BenchFailure("/proc/\(agentPID)/status has no \(name)") }
            return kilobytes * 1024
        }
        return (try field("VmRSS"), try field("RssAnon"), try field("RssFile"))
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum BenchShell {
    /// Runs a command to completion; throws with its output when it fails.
    @discardableResult
    static func run(_ command: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw BenchFailure("`\(command.joined(separator: " "))` exited \(process.terminationStatus): \(text)")
        }
        return text
    }
}
