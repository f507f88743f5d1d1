import Yams

/// A suggested policy as Kubernetes objects: a NetworkPolicy, plus a CiliumNetworkPolicy when
/// the workload was seen reaching the node, which no NetworkPolicy peer can select.
enum SuggestionDocuments {
    static let learnedFromAnnotation = "policy.hedgerow.dev/suggested-from"
    /// Cilium's limit of ports per `toPorts` item.
    static let maxCiliumPortsPerItem = 40

    static func documents(_ policy: SuggestedPolicy) -> [SuggestedDocument] {
        let toNode = policy.egress.filter { $0.peer == .node }
        let networkPolicy = networkPolicyDocument(policy)
        guard !toNode.isEmpty else { return [networkPolicy] }
        return [networkPolicy, ciliumNodePolicy(policy, rules: toNode)]
    }

    static func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    private static func describePods(_ policy: SuggestedPolicy) -> String {
        let shown = policy.pods.prefix(5).map { "\(policy.namespace)/\($0)" }.joined(separator: ", ")
        let more = policy.pods.count > 5 ? " and \(policy.pods.count - 5) more" : ""
        return "pod\(policy.pods.count == 1 ? "" : "s") \(shown)\(more)"
    }

    // MARK: NetworkPolicy

    private static func networkPolicyDocument(_ policy: SuggestedPolicy) -> SuggestedDocument {
        var comments = [
            "\(policy.name): \(describePods(policy)); learned from \(counted(policy.connections, "connection")) "
                + "(\(counted(policy.flows, "flow"))).",
        ]
        if policy.ingress.isEmpty { comments.append("No ingress was seen: all ingress is denied.") }
        if policy.ingressFromNodeSeen {
            comments.append("Traffic from the node was seen; it needs no rule (a node may always reach its pods).")
        }
        let egress = policy.egress.filter { $0.peer != .node }
        let ingressRules = policy.ingress.enumerated().map { rule($1, "from", policy.namespace, at: "ingress[\($0)]") }
        let egressRules = egress.enumerated().map { rule($1, "to", policy.namespace, at: "egress[\($0)]") }
        comments += (ingressRules + egressRules).flatMap(\.comments)
        let object = Node.map([
            ("apiVersion", .text("networking.k8s.io/v1")),
            ("kind", .text("NetworkPolicy")),
            ("metadata", metadata(policy)),
            ("spec", .map([
                ("podSelector", selector(policy.podSelector)),
                ("policyTypes", .list([.text("Ingress"), .text("Egress")])),
                ("ingress", .list(ingressRules.map(\.node))),
                ("egress", .list(egressRules.map(\.node))),
            ])),
        ])
        return SuggestedDocument(comments: comments, object: object)
    }

    private static func metadata(_ policy: SuggestedPolicy, name: String? = nil) -> Node {
        let learned = "\(counted(policy.connections, "connection")), \(counted(policy.flows, "flow"))"
        return .map([
            ("name", .text(name ?? policy.name)),
            ("namespace", .text(policy.namespace)),
            ("annotations", .map([(learnedFromAnnotation, .text(learned))])),
        ])
    }

    private static func selector(_ labels: Labels) -> Node {
        labels.isEmpty ? .map([]) : .map([("matchLabels", .map(labels.map { ($0.key, .text($0.value)) }))])
    }

    /// A rule and the comments about it, each naming where it is ("egress[2]: ...").
    private static func rule(_ rule: SuggestedRule, _ peersKey: String, _ namespace: String, at place: String)
        -> (node: Node, comments: [String])
    {
        var comments: [String] = []
        if case .address = rule.peer {
            comments.append("Not a pod (outside the cluster, or another node): only an ipBlock of its address selects it.")
        }
        if case .pods(let peerNamespace, let labels) = rule.peer, labels.isEmpty {
            comments.append("Pods without stable labels: this selects every pod of namespace \(peerNamespace).")
        }
        var entries: [(String, Node)] = [(peersKey, .list([peer(rule.peer, namespace)]))]
        if rule.allowsICMP {
            let alsoSeen = rule.ports.isEmpty ? "" : " (also seen: \(rule.ports.map(\.description).joined(separator: ", ")))"
            comments.append(
                "ICMP seen: NetworkPolicy ports cannot name ICMP, so this rule has no ports "
                    + "and allows every protocol and port of this peer\(alsoSeen).")
        } else if !rule.ports.isEmpty {
            entries.append(("ports", .list(rule.ports.map(port))))
        }
        return (.map(entries), comments.map { "\(place): \($0)" })
    }

    private static func peer(_ peer: SuggestedPeer, _ namespace: String) -> Node {
        switch peer {
        case .pods(let peerNamespace, let labels) where peerNamespace == namespace:
            return .map([("podSelector", selector(labels))])
        case .pods(let peerNamespace, let labels):
            var entries: [(String, Node)] = [("namespaceSelector", selector([Namespace.nameLabelKey: peerNamespace]))]
            if !labels.isEmpty { entries.append(("podSelector", selector(labels))) }
            return .map(entries)
        case .address(let address):
            return .map([("ipBlock", .map([("cidr", .text(IPPrefix(host: address).description))]))])
        case .node:
            // Never reached: rules to the node go to the CiliumNetworkPolicy.
            return .map([])
        }
    }

    private static func port(_ port: SuggestedPort) -> Node {
        .map([("port", .integer(Int(port.port))), ("protocol", .text(port.protocol.rawValue))])
    }

    // MARK: CiliumNetworkPolicy for the node

    private static func ciliumNodePolicy(_ policy: SuggestedPolicy, rules: [SuggestedRule]) -> SuggestedDocument {
        let name = policy.name + "-node"
        var comments = [
            "\(name): egress of the same pods to the node. No NetworkPolicy peer selects the node",
            "(an ipBlock of its address does not match the host identity); this CiliumNetworkPolicy allows it.",
        ]
        let egress = rules.enumerated().map { index, rule -> Node in
            var entries: [(String, Node)] = [("toEntities", .list([.text("host")]))]
            guard !rule.allowsICMP else {
                comments.append("egress[\(index)]: ICMP seen: no toPorts, so every protocol and port to the node is allowed.")
                return .map(entries)
            }
            let items = stride(from: 0, to: rule.ports.count, by: maxCiliumPortsPerItem).map { start in
                let chunk = rule.ports[start..<min(start + maxCiliumPortsPerItem, rule.ports.count)]
                return Node.map([("ports", .list(chunk.map { port in
                    .map([("port", .text("\(port.port)")), ("protocol", .text(port.protocol.rawValue))])
                }))])
            }
            if !items.isEmpty { entries.append(("toPorts", .list(items))) }
            return .map(entries)
        }
        let object = Node.map([
            ("apiVersion", .text("cilium.io/v2")),
            ("kind", .text("CiliumNetworkPolicy")),
            ("metadata", metadata(policy, name: name)),
            ("spec", .map([
                ("endpointSelector", selector(policy.podSelector)),
                ("egress", .list(egress)),
            ])),
        ])
        return SuggestedDocument(comments: comments, object: object)
    }
}
