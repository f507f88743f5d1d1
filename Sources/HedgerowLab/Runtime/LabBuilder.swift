import Foundation

/// `hlab up`: builds a lab from a validated spec. Leftovers of a crashed lab of the same name
/// are removed first; a failure half-way tears down what was built (unless asked to keep it).
public struct LabBuilder {
    public let enter: EnterCommand
    public let log: (String) -> Void

    public init(enter: EnterCommand, log: @escaping (String) -> Void) {
        self.enter = enter
        self.log = log
    }

    public func up(_ spec: LabSpec, options: LabOptions, keepOnFailure: Bool = false) throws -> LabState {
        let teardown = LabTeardown(lab: spec.name, enter: enter, log: log)
        if teardown.leavesTraces {
            log("removing leftovers of an earlier lab '\(spec.name)'")
            try teardown.run()
        }
        var state = LabState(spec: spec, options: options)
        do {
            try build(&state)
            return state
        } catch {
            if !keepOnFailure {
                do { try teardown.run() } catch { log("warning: \(error)") }
            }
            throw error
        }
    }

    private func build(_ state: inout LabState) throws {
        let layout = state.layout
        for dir in [layout.root, layout.manifests, layout.cni, layout.ipamDataDir, layout.logs] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        try LabStateStore.save(state)
        let manifests = ManifestWriter(layout: layout)
        for namespace in state.spec.namespaces { try manifests.write(namespace: namespace) }

        for index in state.nodes.indices {
            try buildNode(&state, index: index)
        }
        for pod in state.spec.pods {
            try PodLifecycle(enter: enter).add(pod, to: &state)
        }
    }

    private func buildNode(_ state: inout LabState, index: Int) throws {
        let node = state.nodes[index]
        if NetworkNamespaces.exists(node.netns) {
            throw LabError("network namespace \(node.netns) already exists (another lab with an overlapping name?)")
        }
        if FileManager.default.fileExists(atPath: node.pinDirectory) {
            throw LabError("pin directory \(node.pinDirectory) already exists (another lab with an overlapping name?)")
        }
        try NodeConflist.write(node: node, lab: state.naming, layout: state.layout, withAgent: state.options.withAgent)
        try CGroups.create(node.cgroup)
        try NetworkNamespaces.create(node.netns)
        // The node routes between its pods' veths (ptp gives each pod a /32 route).
        try CommandRunner.check(
            enter.argv(netns: node.netns, command: ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]),
            what: "enable IPv4 forwarding in \(node.netns)")
        try LabStateStore.save(state)

        if state.options.withAgent {
            let agent = AgentProcess(node: node, layout: state.layout, options: state.options, enter: enter)
            state.nodes[index].agentPID = try agent.start()
            try LabStateStore.save(state)
        }
    }
}
