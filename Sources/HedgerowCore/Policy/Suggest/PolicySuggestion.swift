/// Least-privilege policies learned from observed traffic (`hpolicy suggest`): one policy per
/// workload of a namespace, allowing exactly what its pods were seen to do.
public struct PolicySuggestion: Sendable, Hashable {
    public var namespace: String
    /// Ordered by name.
    public var policies: [SuggestedPolicy]
    /// Distinct connections (`ObservedConnection`) and forward flows that involve the namespace.
    public var connections: Int
    public var flows: Int
    /// Pods of the namespace seen in flows whose labels are all volatile or absent: no selector
    /// can pick them alone, so they get no policy (their traffic stays unrestricted).
    public var unselectablePods: [String]

    public init(
        namespace: String, policies: [SuggestedPolicy], connections: Int, flows: Int, unselectablePods: [String] = []
    ) {
        self.namespace = namespace
        self.policies = policies
        self.connections = connections
        self.flows = flows
        self.unselectablePods = unselectablePods
    }

    public var isEmpty: Bool { flows == 0 }
}

/// The policy of one workload: the pods of the namespace that share a set of stable labels.
public struct SuggestedPolicy: Sendable, Hashable {
    /// A DNS-1123 label, unique within the suggestion ("suggested-web").
    public var name: String
    public var namespace: String
    /// The workload's stable labels (`matchLabels` of the policy's pod selector).
    public var podSelector: Labels
    /// The observed pods of the workload, by name, sorted.
    public var pods: [String]
    /// Sources allowed in (the node needs none: it may always reach its pods).
    public var ingress: [SuggestedRule]
    /// Destinations allowed out, DNS to kube-dns first.
    public var egress: [SuggestedRule]
    /// Whether the node was seen connecting to the workload (allowed implicitly, no rule).
    public var ingressFromNodeSeen: Bool
    /// Distinct connections and forward flows the policy was learned from.
    public var connections: Int
    public var flows: Int

    public init(
        name: String, namespace: String, podSelector: Labels, pods: [String], ingress: [SuggestedRule],
        egress: [SuggestedRule], ingressFromNodeSeen: Bool = false, connections: Int, flows: Int
    ) {
        self.name = name
        self.namespace = namespace
        self.podSelector = podSelector
        self.pods = pods
        self.ingress = ingress
        self.egress = egress
        self.ingressFromNodeSeen = ingressFromNodeSeen
        self.connections = connections
        self.flows = flows
    }
}

/// One peer and what it was seen using: its destination ports, and whether ICMP was seen.
public struct SuggestedRule: Sendable, Hashable {
    public var peer: SuggestedPeer
    /// Sorted by protocol, then port.
    public var ports: [SuggestedPort]
    /// ICMP (or ICMPv6) was seen. NetworkPolicy ports cannot name ICMP: only a rule without
    /// ports allows it, and that rule allows every protocol and port of the peer.
    public var allowsICMP: Bool

    public init(peer: SuggestedPeer, ports: [SuggestedPort], allowsICMP: Bool = false) {
        self.peer = peer
        self.ports = ports
        self.allowsICMP = allowsICMP
    }
}

/// The other end of a rule.
public enum SuggestedPeer: Sendable, Hashable {
    /// Pods with these stable labels in `namespace` (empty labels: every pod of the namespace).
    case pods(namespace: String, labels: Labels)
    /// The node the pods run on (the host identity). NetworkPolicy cannot select it: in Hedgerow,
    /// as in Cilium, an ipBlock of a node address does not match the host identity.
    case node
    /// An address without a pod (outside the cluster, another node): only an ipBlock selects it.
    case address(IPAddress)

    /// The cluster DNS, which every suggested policy may reach.
    public static let kubeDNS = SuggestedPeer.pods(namespace: "kube-system", labels: ["k8s-app": "kube-dns"])
}

/// A destination port with its protocol.
public struct SuggestedPort: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var `protocol`: TransportProtocol
    public var port: UInt16

    public init(_ port: UInt16, _ transport: TransportProtocol) {
        self.protocol = transport
        self.port = port
    }

    public static let dns = [SuggestedPort(53, .tcp), SuggestedPort(53, .udp)]

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.protocol, lhs.port) < (rhs.protocol, rhs.port) }

    /// "80/TCP".
    public var description: String { "\(port)/\(`protocol`.rawValue)" }
}
