/// The rules of a lab that span fields: names, references between pods, nodes and namespaces,
/// address ranges, and names of kernel objects that must not collide.
public enum LabValidator {
    /// Pod CIDRs shorter than this leave host-local no room for a gateway and pods.
    public static let longestPodCIDRPrefix = 30

    public static func validate(_ spec: LabSpec, locator: LabFileLocator) throws {
        if let problem = NameRules.labNameProblem(spec.name) { throw locator.error("name", problem) }
        guard !spec.nodes.isEmpty else { throw locator.error("nodes", "a lab needs at least one node") }

        var nodeIndex: [String: Int] = [:]
        for (i, node) in spec.nodes.enumerated() {
            let path = "nodes[\(i)]"
            if let problem = NameRules.dnsLabelProblem(node.name, what: "node name") { throw locator.error("\(path).name", problem) }
            if let first = nodeIndex[node.name] { throw locator.error("\(path).name", "node '\(node.name)' is already declared at nodes[\(first)]") }
            nodeIndex[node.name] = i
            if node.podCIDR.prefixLength > longestPodCIDRPrefix {
                throw locator.error("\(path).podCIDR", "\(node.podCIDR) is too small for pods (at most /\(longestPodCIDRPrefix))")
            }
            for (j, other) in spec.nodes[..<i].enumerated() where other.podCIDR.overlaps(node.podCIDR) {
                throw locator.error("\(path).podCIDR", "\(node.podCIDR) overlaps nodes[\(j)].podCIDR \(other.podCIDR)")
            }
            if node.podCIDR.overlaps(spec.underlayCIDR) {
                throw locator.error("\(path).podCIDR", "\(node.podCIDR) overlaps the underlay \(spec.underlayCIDR)")
            }
        }
        // Nodes take the first host addresses, outside clients count down from the last.
        let underlayHosts = (1 << (32 - spec.underlayCIDR.prefixLength)) - 2
        if underlayHosts < spec.nodes.count + Underlay.reservedForOutsiders {
            throw locator.error(
                "underlay",
                "\(spec.underlayCIDR) has room for \(max(0, underlayHosts)) hosts; \(spec.nodes.count) nodes and \(Underlay.reservedForOutsiders) outside clients need more")
        }

        var namespaceIndex: [String: Int] = [:]
        for (i, namespace) in spec.namespaces.enumerated() {
            let path = "namespaces[\(i)]"
            if let problem = NameRules.dnsLabelProblem(namespace.name, what: "namespace name") { throw locator.error("\(path).name", problem) }
            if let first = namespaceIndex[namespace.name] {
                throw locator.error("\(path).name", "namespace '\(namespace.name)' is already declared at namespaces[\(first)]")
            }
            namespaceIndex[namespace.name] = i
            try validateLabels(namespace.labels, path: "\(path).labels", locator: locator)
        }

        for (i, pod) in spec.pods.enumerated() {
            try validate(pod: pod, path: "pods[\(i)]", others: Array(spec.pods[..<i]), in: spec, locator: locator)
        }

        for node in spec.nodes {
            let capacity = (1 << (32 - node.podCIDR.prefixLength)) - 3  // network, gateway, broadcast
            let count = spec.pods.filter { $0.node == node.name }.count
            if count > capacity {
                throw locator.error("nodes[\(nodeIndex[node.name]!)].podCIDR", "\(node.podCIDR) holds \(capacity) pods, \(count) are placed on node '\(node.name)'")
            }
        }
    }

    /// Checks one pod against a lab (also for `hlab add-pod`, where `others` are the running pods).
    public static func validate(pod: PodSpec, path: String, others: [PodSpec], in spec: LabSpec, locator: LabFileLocator) throws {
        if let problem = NameRules.dnsLabelProblem(pod.name, what: "pod name") { throw locator.error("\(path).name", problem) }
        guard spec.namespace(named: pod.namespace) != nil else {
            let known = spec.namespaces.map(\.name).joined(separator: ", ")
            throw locator.error("\(path).namespace", "namespace '\(pod.namespace)' is not declared in the lab (declared: \(known.isEmpty ? "none" : known))")
        }
        guard spec.node(named: pod.node) != nil else {
            let known = spec.nodes.map(\.name).joined(separator: ", ")
            throw locator.error("\(path).node", "node '\(pod.node)' is not declared in the lab (declared: \(known))")
        }
        if others.contains(where: { $0.namespace == pod.namespace && $0.name == pod.name }) {
            throw locator.error("\(path).name", "pod \(pod.qualifiedName) is declared twice")
        }
        // Namespace names are built by joining with '-', so "x-a"/"b" and "x"/"a-b" would collide.
        let naming = LabNaming(lab: spec.name)
        let netns = naming.podNetns(namespace: pod.namespace, pod: pod.name)
        if let clash = others.first(where: { naming.podNetns(namespace: $0.namespace, pod: $0.name) == netns }) {
            throw locator.error("\(path).name", "pod \(pod.qualifiedName) and pod \(clash.qualifiedName) would share the network namespace name \(netns)")
        }
        if let clash = spec.nodes.first(where: { naming.nodeNetns($0.name) == netns }) {
            throw locator.error("\(path).name", "pod \(pod.qualifiedName) and node \(clash.name) would share the network namespace name \(netns)")
        }
        try validateLabels(pod.labels, path: "\(path).labels", locator: locator)

        var portNames: Set<String> = []
        var portNumbers: Set<String> = []
        for (j, port) in pod.ports.enumerated() {
            let portPath = "\(path).ports[\(j)]"
            guard (1...65535).contains(port.containerPort) else {
                throw locator.error("\(portPath).containerPort", "\(port.containerPort) is not a port number (1-65535)")
            }
            if let name = port.name {
                if let problem = NameRules.portNameProblem(name) { throw locator.error("\(portPath).name", problem) }
                guard portNames.insert(name).inserted else { throw locator.error("\(portPath).name", "port name '\(name)' is used twice in the pod") }
            }
            guard portNumbers.insert("\(port.containerPort)/\(port.protocol.rawValue)").inserted else {
                throw locator.error("\(portPath).containerPort", "\(port.containerPort)/\(port.protocol.rawValue) is listed twice in the pod")
            }
        }
    }

    static func validateLabels(_ labels: [String: String], path: String, locator: LabFileLocator) throws {
        for key in labels.keys.sorted() {
            if let problem = NameRules.labelKeyProblem(key) { throw locator.error("\(path).\(key)", problem) }
            if let problem = NameRules.labelValueProblem(labels[key]!) { throw locator.error("\(path).\(key)", problem) }
        }
    }
}
