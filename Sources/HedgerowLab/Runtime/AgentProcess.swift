import Foundation
import Glibc

/// Starts and stops a node's `hagent`, detached, inside the node netns and node cgroup.
public struct AgentProcess: Sendable {
    public let node: NodeState
    public let layout: LabLayout
    public let options: LabOptions
    public let enter: EnterCommand

    public static let readyTimeout: TimeInterval = 15

    public init(node: NodeState, layout: LabLayout, options: LabOptions, enter: EnterCommand) {
        self.node = node
        self.layout = layout
        self.options = options
        self.enter = enter
    }

    public var command: [String] {
        ["\(options.binDir)/hagent", "run",
         "--node-name", node.name,
         "--manifests", layout.manifests,
         "--pin-dir", node.pinDirectory,
         "--state-dir", node.agentStateDir,
         "--api-socket", node.agentSocket,
         "--bpf-dir", options.bpfDir,
         "--cgroup", node.cgroup,
         "--uplink", Underlay.nodeInterface]
            + AgentArgumentsFile.read(agentSocket: node.agentSocket)
    }

    /// Starts the agent and returns its pid once its API socket accepts connections.
    public func start() throws -> pid_t {
        let binary = command[0]
        guard access(binary, X_OK) == 0 else {
            throw LabError("agent binary \(binary) is missing (build it, pass --bin-dir, or use --without-agent)")
        }
        try FileManager.default.createDirectory(atPath: node.agentStateDir, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: node.agentSocket)
        let argv = enter.argv(netns: node.netns, cgroup: node.cgroup, newSession: true, command: command)
        let pid = try CommandRunner.launch(argv, logFile: node.agentLog)
        let deadline = Date().addingTimeInterval(Self.readyTimeout)
        while !UnixSocket.accepts(node.agentSocket) {
            if !Processes.isAlive(pid) {
                throw LabError("agent on node \(node.name) exited during startup; log \(node.agentLog):\n\(Processes.tail(node.agentLog))")
            }
            if Date() >= deadline {
                Processes.terminate(pid)
                throw LabError("agent on node \(node.name) did not accept connections on \(node.agentSocket) within \(Int(Self.readyTimeout)) s; log \(node.agentLog):\n\(Processes.tail(node.agentLog))")
            }
            usleep(50_000)
        }
        return pid
    }

    /// Stops the agent recorded in the state, if it is still the process we started (its pid
    /// still lives in the node cgroup: a reused pid is left alone).
    public static func stop(_ node: NodeState) -> Bool {
        guard let pid = node.agentPID, Processes.isAlive(pid) else { return true }
        let relative = String(node.cgroup.dropFirst(LabNaming.cgroupRoot.count))
        guard Processes.cgroup(of: pid) == relative else { return true }
        return Processes.terminate(pid)
    }
}
