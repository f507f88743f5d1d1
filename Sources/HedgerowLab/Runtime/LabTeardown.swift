import Foundation

/// `hlab down`: removes everything a lab owns, from its state file when there is one and by
/// name prefixes in any case (a lab that crashed before or while writing state still has
/// namespaces, cgroups and pins). Idempotent: a lab that is not there is a no-op.
public struct LabTeardown {
    public let lab: String
    public let enter: EnterCommand
    public let log: (String) -> Void

    public init(lab: String, enter: EnterCommand, log: @escaping (String) -> Void) {
        self.lab = lab
        self.enter = enter
        self.log = log
    }

    /// Whether anything of the lab exists on the machine.
    public var leavesTraces: Bool {
        let naming = LabNaming(lab: lab)
        return FileManager.default.fileExists(atPath: LabLayout(lab: lab).root) || CGroups.exists(naming.labCgroup)
            || !ownNetns().isEmpty || !ownPinDirectories().isEmpty
    }

    /// Tears down; throws after doing all it can if something could not be removed.
    public func run() throws {
        let naming = LabNaming(lab: lab)
        let layout = LabLayout(lab: lab)
        var problems: [String] = []
        var state: LabState?
        do {
            state = try LabStateStore.load(lab: lab)
        } catch {
            log("warning: \(error); removing the lab by its names instead")
        }

        if let state {
            // DEL while the agent still runs, so hedgerow-cni can deregister each endpoint.
            for pod in state.pods.reversed() {
                // Without its node namespace there is nothing left for the plugins to undo.
                guard let node = state.node(named: pod.spec.node), NetworkNamespaces.exists(node.netns) else { continue }
                let chain = CNIChain(node: node, options: state.options, enter: enter)
                for warning in chain.deleteBestEffort(pod) { log("warning: CNI DEL of \(pod.spec.qualifiedName): \(warning)") }
            }
            for node in state.nodes where !AgentProcess.stop(node) {
                problems.append("agent pid \(node.agentPID ?? 0) on node \(node.name) did not exit")
            }
        }

        // Everything started by the lab lives in its cgroup tree: agents left without state,
        // pod processes, plugins that hung.
        do {
            try CGroups.killAll(in: naming.labCgroup)
            try CGroups.removeTree(naming.labCgroup)
        } catch {
            problems.append("\(error)")
        }

        // Pods first: a pod namespace holds one end of a veth whose other end is in a node's.
        let recorded = (state?.pods.map(\.netns) ?? []) + (state?.nodes.map(\.netns) ?? [])
        let namespaces = recorded + ownNetns().filter { !recorded.contains($0) }
        for name in namespaces {
            do { try NetworkNamespaces.delete(name) } catch { problems.append("\(error)") }
        }

        let pins = Set((state?.nodes.map(\.pinDirectory) ?? []) + ownPinDirectories())
        for pin in pins.sorted() where FileManager.default.fileExists(atPath: pin) {
            do { try FileManager.default.removeItem(atPath: pin) } catch { problems.append("cannot remove pin directory \(pin): \(error.localizedDescription)") }
        }

        if FileManager.default.fileExists(atPath: layout.root) {
            do { try FileManager.default.removeItem(atPath: layout.root) } catch { problems.append("cannot remove state directory \(layout.root): \(error.localizedDescription)") }
        }
        guard problems.isEmpty else {
            throw LabError("lab \(lab) was not removed completely:\n  " + problems.joined(separator: "\n  "))
        }
    }

    /// Every lab with a state directory or a cgroup on this machine, running or crashed.
    public static func labsWithTraces() -> [String] {
        let fromCgroups = ((try? FileManager.default.contentsOfDirectory(atPath: LabNaming.cgroupRoot)) ?? [])
            .filter { $0.hasPrefix(LabNaming.labCgroupPrefix) }.map { String($0.dropFirst(LabNaming.labCgroupPrefix.count)) }
        return Set(LabStateStore.labNames() + fromCgroups).sorted()
    }

    /// This lab's network namespaces by prefix, excluding those of labs whose names extend ours.
    func ownNetns() -> [String] {
        let naming = LabNaming(lab: lab)
        let others = LabRegistry.labsExtending(lab).map { LabNaming(lab: $0).netnsPrefix }
        return NetworkNamespaces.list().filter { name in
            name.hasPrefix(naming.netnsPrefix) && !others.contains { name.hasPrefix($0) }
        }
    }

    func ownPinDirectories() -> [String] {
        let naming = LabNaming(lab: lab)
        let others = LabRegistry.labsExtending(lab).map { LabNaming(lab: $0).pinPrefix }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: LabNaming.pinRoot)) ?? []
        return entries.filter { name in name.hasPrefix(naming.pinPrefix) && !others.contains { name.hasPrefix($0) } }
            .map { "\(LabNaming.pinRoot)/\($0)" }
    }
}
