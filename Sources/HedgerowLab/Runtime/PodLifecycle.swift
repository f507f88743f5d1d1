import Foundation

/// Adds and removes one pod of a running lab: cgroup, network namespace, CNI ADD/DEL through
/// the node's chain, the pod manifest the agent reads, and the pod's entry in state.json.
/// The state is saved after each step that creates something, so a crash leaves a trail.
public struct PodLifecycle {
    public let enter: EnterCommand

    public init(enter: EnterCommand) { self.enter = enter }

    /// Creates the pod; on failure everything created for it is removed again and the error
    /// (for CNI, the plugin's own message) is thrown.
    @discardableResult
    public func add(_ spec: PodSpec, to state: inout LabState) throws -> PodState {
        guard let node = state.node(named: spec.node) else { throw LabError("node '\(spec.node)' is not in lab \(state.name)") }
        guard state.pod(namespace: spec.namespace, name: spec.name) == nil else {
            throw LabError("pod \(spec.qualifiedName) already exists in lab \(state.name)")
        }
        var pod = PodState(spec: spec, naming: state.naming)
        // Checked before creating anything, so that the rollback never removes another's.
        if NetworkNamespaces.exists(pod.netns) {
            throw LabError("network namespace \(pod.netns) already exists (another lab with an overlapping name?)")
        }
        let manifests = ManifestWriter(layout: state.layout)
        state.pods.append(pod)
        if !state.spec.pods.contains(spec) { state.spec.pods.append(spec) }
        try LabStateStore.save(state)

        do {
            try manifests.write(pod: spec, podIP: nil)
            try CGroups.create(pod.cgroup)
            try NetworkNamespaces.create(pod.netns)
            let result = try CNIChain(node: node, options: state.options, enter: enter).add(pod)
            pod.cniResult = result.json
            pod.ip = result.ips.first?.ip
            pod.hostInterface = result.interfaces.first { !$0.isInSandbox }?.name
            try manifests.write(pod: spec, podIP: pod.ip)
            state.replace(pod)
            try LabStateStore.save(state)
            return pod
        } catch {
            // CNIChain.add has already rolled back the chain; remove the rest.
            _ = try? removeResources(of: pod, state: state)
            state.remove(pod)
            try? LabStateStore.save(state)
            throw error
        }
    }

    /// DEL through the chain, then the pod's processes, cgroup, namespace and manifest.
    /// Goes all the way even when DEL fails, then reports the DEL failure.
    public func delete(namespace: String, name: String, from state: inout LabState) throws {
        guard let pod = state.pod(namespace: namespace, name: name) else {
            throw LabError("pod \(namespace)/\(name) is not in lab \(state.name)")
        }
        var failures: [String] = []
        if let node = state.node(named: pod.spec.node) {
            failures += CNIChain(node: node, options: state.options, enter: enter).deleteBestEffort(pod)
        }
        do { try removeResources(of: pod, state: state) } catch { failures.append("\(error)") }
        state.remove(pod)
        try LabStateStore.save(state)
        guard failures.isEmpty else {
            throw LabError("pod \(pod.spec.qualifiedName) was removed, but:\n  " + failures.joined(separator: "\n  "))
        }
    }

    private func removeResources(of pod: PodState, state: LabState) throws {
        try ManifestWriter(layout: state.layout).removePod(namespace: pod.spec.namespace, pod: pod.spec.name)
        try CGroups.killAll(in: pod.cgroup)
        try CGroups.removeTree(pod.cgroup)
        try NetworkNamespaces.delete(pod.netns)
    }
}

extension LabState {
    mutating func replace(_ pod: PodState) {
        if let index = pods.firstIndex(where: { $0.spec.namespace == pod.spec.namespace && $0.spec.name == pod.spec.name }) {
            pods[index] = pod
        }
    }

    mutating func remove(_ pod: PodState) {
        pods.removeAll { $0.spec.namespace == pod.spec.namespace && $0.spec.name == pod.spec.name }
        spec.pods.removeAll { $0.namespace == pod.spec.namespace && $0.name == pod.spec.name }
    }
}
