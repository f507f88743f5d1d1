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
        if let running = try? LabStateStore.load(lab: spec.name), Self.isHealthy(running) {
            throw LabError("lab \(spec.name) is already running: take it down first (`hlab down \(spec.name)`), or choose another --name")
        }
        if teardown.leavesTraces {
            log("removing leftovers of an earlier lab '\(spec.name)'")
            try teardown.run()
        }
        var state = LabState(spec: spec, options: options)
        try checkNamesAreFree(state)
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

    /// Names are built by joining with '-', so labs "a" and "a-b" could both want "hl-a-b-c".
    /// Checked before anything is created, so that the rollback never removes another's.
    private func checkNamesAreFree(_ state: LabState) throws {
        let netns = [state.naming.underlayNetns] + state.nodes.map(\.netns) + state.spec.pods.map { state.naming.podNetns(namespace: $0.namespace, pod: $0.name) }
        if let taken = netns.first(where: NetworkNamespaces.exists) {
            throw LabError("network namespace \(taken) already exists and is not lab \(state.name)'s (another lab with an overlapping name?)")
        }
        if let taken = state.nodes.map(\.pinDirectory).first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw LabError("pin directory \(taken) already exists and is not lab \(state.name)'s (another lab with an overlapping name?)")
        }
    }

    /// Complete and alive: every node namespace there, every agent it started still running.
    /// Anything less is a crashed lab, which `up` replaces.
    static func isHealthy(_ state: LabState) -> Bool {
        state.nodes.allSatisfy { node in
            NetworkNamespaces.exists(node.netns) && (!state.options.withAgent || node.agentPID.map(Processes.isAlive) == true)
        } && state.pods.count == state.spec.pods.count
            && state.pods.allSatisfy { NetworkNamespaces.exists($0.netns) && $0.cniResult != nil }
    }

    private func build(_ state: inout LabState) throws {
        let layout = state.layout
        for dir in [layout.root, layout.manifests, layout.cni, layout.ipamDataDir, layout.logs] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        try LabStateStore.save(state)
        // Every object before any agent starts: an agent then knows each pod when its CNI ADD
        // comes (addresses are filled in as pods get them).
        let manifests = ManifestWriter(layout: layout)
        for namespace in state.spec.namespaces { try manifests.write(namespace: namespace) }
        for pod in state.spec.pods { try manifests.write(pod: pod, podIP: nil) }

        for index in state.nodes.indices {
            try buildNode(&state, index: index)
        }
        // Joined before any agent starts, so that each agent finds its uplink there.
        try Underlay(enter: enter).build(&state)
        if state.options.withAgent {
            for index in state.nodes.indices {
                let agent = AgentProcess(node: state.nodes[index], layout: state.layout, options: state.options, enter: enter)
                state.nodes[index].agentPID = try agent.start()
                try LabStateStore.save(state)
            }
        }
        for pod in state.spec.pods {
            try PodLifecycle(enter: enter).add(pod, to: &state)
        }
    }

    private func buildNode(_ state: inout LabState, index: Int) throws {
        let node = state.nodes[index]
        try NodeConflist.write(node: node, lab: state.naming, layout: state.layout, withAgent: state.options.withAgent)
        try CGroups.create(node.cgroup)
        try NetworkNamespaces.create(node.netns)
        // The node routes between its pods' veths (ptp gives each pod a /32 route).
        try CommandRunner.check(
            enter.argv(netns: node.netns, command: ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]),
            what: "enable IPv4 forwarding in \(node.netns)")
        try LabStateStore.save(state)
    }
}
