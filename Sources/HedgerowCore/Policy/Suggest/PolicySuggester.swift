/// Learns least-privilege policies for one namespace from observed flows, folding them as they
/// are read (memory grows with distinct connections, not with flows).
///
/// - Only forward flows that passed count: FORWARDED, and AUDIT (passed, but an audit-mode
///   policy would have dropped it). Replies follow their connection; drops and errors are what
///   the suggestion must not allow.
/// - Each workload (pods of the namespace with equal stable labels, see `WorkloadLabels`) gets
///   one policy isolating both directions: what was not seen is denied.
/// - A connection between two pods of the namespace gives an egress rule at the source's policy
///   and an ingress rule at the destination's; with one end elsewhere, only this side's rule.
/// - Peers are selected by labels (pods), as the node (host identity) or by address.
/// - Every policy also allows DNS to kube-dns, which every pod needs whether it was seen or not.
public struct PolicySuggester: Sendable {
    public let namespace: String
    private var workloads: [Labels: Workload] = [:]
    private var unselectablePods: Set<String> = []
    private var connections: Set<ObservedConnection> = []
    private var flows = 0

    private struct Workload: Sendable {
        var pods: Set<String> = []
        var ingress: [SuggestedPeer: Traffic] = [:]
        var egress: [SuggestedPeer: Traffic] = [:]
        var ingressFromNodeSeen = false
        var connections: Set<ObservedConnection> = []
        var flows = 0
    }

    private struct Traffic: Sendable {
        var ports: Set<SuggestedPort> = []
        var icmp = false

        mutating func record(_ l4: Layer4) {
            switch l4 {
            case .tcp(_, let port, _): ports.insert(SuggestedPort(port, .tcp))
            case .udp(_, let port): ports.insert(SuggestedPort(port, .udp))
            case .sctp(_, let port): ports.insert(SuggestedPort(port, .sctp))
            case .icmpv4, .icmpv6: icmp = true
            }
        }
    }

    /// A flow end as the suggestion sees it. The host identity wins over a pod name: a
    /// host-network pod has no identity of its own, so only "the node" selects it.
    private enum End: Hashable {
        case pod(namespace: String, name: String, labels: Labels)
        case node
        case address(IPAddress)

        init(_ endpoint: FlowEndpoint, address: IPAddress) {
            if endpoint.identity == .host {
                self = .node
            } else if !endpoint.podName.isEmpty {
                self = .pod(
                    namespace: endpoint.namespace, name: endpoint.podName,
                    labels: WorkloadLabels.stable(endpoint.labels))
            } else {
                self = .address(address)
            }
        }

        var peer: SuggestedPeer {
            switch self {
            case .pod(let namespace, _, let labels): .pods(namespace: namespace, labels: labels)
            case .node: .node
            case .address(let address): .address(address)
            }
        }
    }

    public init(namespace: String) {
        self.namespace = namespace
    }

    public static func suggest(flows: some Sequence<Flow>, namespace: String) -> PolicySuggestion {
        var suggester = PolicySuggester(namespace: namespace)
        for flow in flows { suggester.add(flow) }
        return suggester.suggestion()
    }

    public mutating func add(_ flow: Flow) {
        guard flow.verdict == .forwarded || flow.verdict == .audit,
            let connection = ObservedConnection(flow), let ip = flow.ip, let l4 = flow.l4
        else { return }
        let source = End(flow.source, address: ip.source)
        let destination = End(flow.destination, address: ip.destination)
        // A pod's traffic to itself never leaves the pod; no policy applies to it.
        guard source != destination else { return }
        for end in [source, destination] {
            if case .pod(let namespace, let name, let labels) = end, namespace == self.namespace, labels.isEmpty {
                unselectablePods.insert(name)
            }
        }
        let egressSubject = subject(source), ingressSubject = subject(destination)
        guard egressSubject != nil || ingressSubject != nil else { return }
        flows += 1
        connections.insert(connection)

        if let subject = egressSubject {
            workloads[subject.labels, default: Workload()].egress[destination.peer, default: Traffic()].record(l4)
        }
        if let subject = ingressSubject {
            if source == .node {
                // The node may always reach its pods (kubelet probes); no rule is needed.
                workloads[subject.labels, default: Workload()].ingressFromNodeSeen = true
            } else {
                workloads[subject.labels, default: Workload()].ingress[source.peer, default: Traffic()].record(l4)
            }
        }
        for subject in [egressSubject, ingressSubject].compactMap(\.self) {
            workloads[subject.labels]!.pods.insert(subject.pod)
            workloads[subject.labels]!.connections.insert(connection)
        }
        // A flow between two replicas of one workload counts once for it.
        for labels in Set([egressSubject?.labels, ingressSubject?.labels].compactMap(\.self)) {
            workloads[labels]!.flows += 1
        }
    }

    private struct Subject {
        var labels: Labels
        var pod: String
    }

    /// The workload (stable labels) and pod of an end that is a selectable pod of the namespace.
    private func subject(_ end: End) -> Subject? {
        guard case .pod(let namespace, let name, let labels) = end, namespace == self.namespace, !labels.isEmpty else {
            return nil
        }
        return Subject(labels: labels, pod: name)
    }

    public func suggestion() -> PolicySuggestion {
        let ordered = workloads.sorted { $0.key.description < $1.key.description }
        let names = SuggestedPolicyNames.assign(ordered.map { (labels: $0.key, pods: $0.value.pods.sorted()) })
        let policies = zip(ordered, names).map { entry, name in
            let (labels, workload) = entry
            var egress = workload.egress
            egress[.kubeDNS, default: Traffic()].ports.formUnion(SuggestedPort.dns)
            return SuggestedPolicy(
                name: name, namespace: namespace, podSelector: labels, pods: workload.pods.sorted(),
                ingress: rules(workload.ingress), egress: rules(egress),
                ingressFromNodeSeen: workload.ingressFromNodeSeen,
                connections: workload.connections.count, flows: workload.flows)
        }
        return PolicySuggestion(
            namespace: namespace, policies: policies.sorted { $0.name < $1.name }, connections: connections.count,
            flows: flows, unselectablePods: unselectablePods.sorted())
    }

    private func rules(_ peers: [SuggestedPeer: Traffic]) -> [SuggestedRule] {
        peers.map { SuggestedRule(peer: $0.key, ports: $0.value.ports.sorted(), allowsICMP: $0.value.icmp) }
            .sorted { ruleOrder($0.peer) < ruleOrder($1.peer) }
    }

    /// DNS first, then pods of this namespace, pods of other namespaces, the node, addresses.
    private func ruleOrder(_ peer: SuggestedPeer) -> RuleOrder {
        switch peer {
        case .kubeDNS: RuleOrder(rank: 0)
        case .pods(let namespace, let labels) where namespace == self.namespace:
            RuleOrder(rank: 1, labels: labels.description)
        case .pods(let namespace, let labels): RuleOrder(rank: 2, namespace: namespace, labels: labels.description)
        case .node: RuleOrder(rank: 3)
        case .address(let address): RuleOrder(rank: 4, address: address)
        }
    }

    private struct RuleOrder: Comparable {
        var rank: Int
        var namespace = ""
        var labels = ""
        var address = IPAddress.v4(0)

        static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.rank, lhs.namespace, lhs.labels) < (rhs.rank, rhs.namespace, rhs.labels)
                || ((lhs.rank, lhs.namespace, lhs.labels) == (rhs.rank, rhs.namespace, rhs.labels)
                    && lhs.address < rhs.address)
        }
    }
}
