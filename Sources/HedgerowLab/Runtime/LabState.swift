import Foundation
import HedgerowCNI

/// Everything `hlab down`, `exec` and `delete-pod` need about a running lab, saved as
/// state.json after every step of `up` so a lab that crashed half-way can still be torn down.
public struct LabState: Codable, Equatable, Sendable {
    public static let currentVersion = 1

    public var version: Int
    public var name: String
    public var spec: LabSpec
    public var options: LabOptions
    public var nodes: [NodeState]
    public var pods: [PodState]

    public init(spec: LabSpec, options: LabOptions) {
        version = Self.currentVersion
        name = spec.name
        self.spec = spec
        self.options = options
        let naming = LabNaming(lab: spec.name)
        let layout = LabLayout(lab: spec.name)
        nodes = spec.nodes.map { NodeState(node: $0, naming: naming, layout: layout) }
        pods = []
    }

    public var naming: LabNaming { LabNaming(lab: name) }
    public var layout: LabLayout { LabLayout(lab: name) }

    public func node(named name: String) -> NodeState? { nodes.first { $0.name == name } }
    public func pod(namespace: String, name: String) -> PodState? {
        pods.first { $0.spec.namespace == namespace && $0.spec.name == name }
    }
}

/// How `up` was asked to build the lab; pods added later are built the same way.
public struct LabOptions: Codable, Equatable, Sendable {
    public var withAgent: Bool
    /// Where hagent and hedgerow-cni are (also first in CNI_PATH).
    public var binDir: String
    /// Compiled BPF objects, passed to the agent.
    public var bpfDir: String
    /// Where the reference CNI plugins are (ptp, host-local).
    public var cniPluginDir: String

    public init(withAgent: Bool, binDir: String, bpfDir: String, cniPluginDir: String = "/usr/lib/cni") {
        self.withAgent = withAgent
        self.binDir = binDir
        self.bpfDir = bpfDir
        self.cniPluginDir = cniPluginDir
    }

    /// CNI_PATH: our plugins first, then the reference ones.
    public var cniPath: String { "\(binDir):\(cniPluginDir)" }
}

public struct NodeState: Codable, Equatable, Sendable {
    public var name: String
    public var podCIDR: IPv4CIDR
    public var netns: String
    public var cgroup: String
    public var pinDirectory: String
    public var conflist: String
    public var agentSocket: String
    public var agentStateDir: String
    public var agentLog: String
    /// Set once the agent has been started; verified against the node cgroup before signalling.
    public var agentPID: Int32?
    /// The node's `eth0` address on the underlay, once plugged in.
    public var underlayAddress: String?

    public init(node: NodeSpec, naming: LabNaming, layout: LabLayout) {
        name = node.name
        podCIDR = node.podCIDR
        netns = naming.nodeNetns(node.name)
        cgroup = naming.nodeCgroup(node.name)
        pinDirectory = naming.pinDirectory(node: node.name)
        conflist = layout.conflist(node: node.name)
        agentSocket = layout.agentSocket(node: node.name)
        agentStateDir = layout.agentStateDir(node: node.name)
        agentLog = layout.agentLog(node: node.name)
    }
}

public struct PodState: Codable, Equatable, Sendable {
    public var spec: PodSpec
    public var netns: String
    public var cgroup: String
    public var containerID: String
    public var ifName: String
    /// The chain's final ADD result (all fields kept): DEL and CHECK pass it as prevResult.
    /// Nil while ADD has not completed (a crash then still runs DEL, as runtimes do).
    public var cniResult: JSONValue?
    public var ip: String?
    public var hostInterface: String?

    public init(spec: PodSpec, naming: LabNaming) {
        self.spec = spec
        netns = naming.podNetns(namespace: spec.namespace, pod: spec.name)
        cgroup = naming.podCgroup(node: spec.node, namespace: spec.namespace, pod: spec.name)
        containerID = naming.containerID(namespace: spec.namespace, pod: spec.name)
        ifName = "eth0"
    }
}

/// Reads and writes state.json (atomically: a crash never leaves half a file).
public enum LabStateStore {
    public static func save(_ state: LabState) throws {
        try AtomicFile.write(try encode(state), to: state.layout.stateFile)
    }

    /// The lab's state, nil when it has no state file; throws when the file is unreadable.
    public static func load(lab: String, stateRoot: String = LabNaming.stateRoot) throws -> LabState? {
        let path = LabLayout(lab: lab, stateRoot: stateRoot).stateFile
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let state = try decode(Data(contentsOf: URL(fileURLWithPath: path)))
            guard state.name == lab else { throw LabError("it names lab '\(state.name)'") }
            return state
        } catch {
            throw LabError("state file \(path) is corrupt: \(error)")
        }
    }

    public static func encode(_ state: LabState) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(state)
    }

    public static func decode(_ data: Data) throws -> LabState {
        let state = try JSONDecoder().decode(LabState.self, from: data)
        guard state.version == LabState.currentVersion else {
            throw LabError("state version \(state.version) is not \(LabState.currentVersion) (written by another hlab)")
        }
        return state
    }

    /// Names of labs with a state directory (running or crashed).
    public static func labNames(stateRoot: String = LabNaming.stateRoot) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: stateRoot)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }
}
