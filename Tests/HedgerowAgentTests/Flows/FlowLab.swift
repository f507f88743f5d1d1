import Foundation
import GRPCCore
import HedgerowAPI
import HedgerowTestSupport

/// A lab (`labs/basic.yaml`: one node, pods x/a, x/b, y/a) brought up with the real `hlab` CLI,
/// with what the flow tests need from it: the agent's socket, pid and node namespace, and the
/// endpoints. `down()` removes everything (call it in a `defer`).
struct FlowLab {
    let name: String
    let agentSocket: String
    let agentPID: pid_t
    /// The node's network namespace (under /run/netns): the pods' host-side veths live there.
    let nodeNetns: String

    init(prefix: String) throws {
        try Privileged.require()
        name = UniqueName.make(prefix)
        let file = TestPaths.repositoryRoot.appendingPathComponent("labs/basic.yaml").path
        do {
            try Shell.run([TestPaths.binary("hlab"), "up", "-f", file, "--name", name, "--bin-dir", TestPaths.binaries.path,
                           "--bpf-dir", TestPaths.bpfObjects.path])
        } catch {
            _ = try? Shell.capture([TestPaths.binary("hlab"), "down", name])
            throw error
        }
        let statePath = "/run/hedgerow-lab/\(name)/state.json"
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: statePath))) as? [String: Any]
        guard let node = (state?["nodes"] as? [[String: Any]])?.first, let socket = node["agentSocket"] as? String,
            let pid = node["agentPID"] as? Int, let netns = node["netns"] as? String
        else {
            _ = try? Shell.capture([TestPaths.binary("hlab"), "down", name])
            throw TestEnvironmentError("\(statePath): no node with agentSocket, agentPID and netns")
        }
        agentSocket = socket
        agentPID = pid_t(pid)
        nodeNetns = netns
    }

    /// Removes the lab; says so on stderr when hlab could not (a test must not leave labs behind).
    func down() {
        let result = try? Shell.capture([TestPaths.binary("hlab"), "down", name])
        if result?.status != 0 {
            FileHandle.standardError.write(Data("hlab down \(name) failed: \(result?.stderr ?? "could not run hlab")\n".utf8))
        }
    }

    /// The endpoint of `pod` ("namespace/name") once the agent reports all three ready.
    func endpoint(_ pod: String) async throws -> Hedgerow_Agent_V1_Endpoint {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let endpoints = try await withAgent(socketPath: agentSocket) {
                try await $0.listEndpoints(Hedgerow_Agent_V1_ListEndpointsRequest()).endpoints
            }
            if endpoints.count == 3, endpoints.allSatisfy({ $0.state == .ready }),
                let match = endpoints.first(where: { "\($0.namespace)/\($0.podName)" == pod })
            {
                return match
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestEnvironmentError("lab \(name): endpoint \(pod) not ready after 30 s")
    }

    /// The agent's ServerStatus; fails (instead of waiting for a connection) after `timeout`.
    func observerStatus(timeout: Duration = .seconds(10)) async throws -> Observer_ServerStatusResponse {
        try await withObserver(.unixSocket(path: agentSocket)) {
            var options = CallOptions.defaults
            options.timeout = timeout
            return try await $0.serverStatus(Observer_ServerStatusRequest(), options: options)
        }
    }

    /// The agent's resident set size in bytes (VmRSS).
    func agentResidentBytes() throws -> UInt64 {
        let status = try String(contentsOfFile: "/proc/\(agentPID)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = UInt64(line.split(separator: " ").dropFirst().first ?? "")
        else { throw TestEnvironmentError("/proc/\(agentPID)/status: no VmRSS (agent gone?)") }
        return kilobytes * 1024
    }
}

extension Observer_ServerStatusResponse {
    /// Events that reached the agent: flows it stored plus events reported lost before that.
    var flowsAndLostEvents: UInt64 { seenFlows + hedgerowDatapathLostEvents }
}
