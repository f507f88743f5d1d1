/// A `cilium.io/v2 CiliumNetworkPolicy` (namespaced) or `CiliumClusterwideNetworkPolicy`: the
/// L3/L4 subset Hedgerow enforces. `spec` and `specs` are both read, into `rules`.
///
/// Cilium's rules, as they are kept here:
/// - A namespaced policy applies to endpoints of its namespace only, and its peer selectors
///   (`fromEndpoints`/`toEndpoints`) that say nothing about `io.kubernetes.pod.namespace` mean
///   pods of its namespace. A clusterwide policy's peer selectors mean pods of any namespace.
/// - A rule with an `ingress` or `ingressDeny` section (non-empty) puts the selected endpoints
///   in default deny for ingress, unless `enableDefaultDeny.ingress` is false; the same for
///   egress. So a deny-only policy isolates too, unless it says otherwise.
/// - In one ingress/egress item, the peer lists (endpoints, CIDRs, entities) add up (OR); an
///   item with no peer but with `toPorts` means every peer; an item with neither (`- {}`)
///   allows nothing.
public struct CiliumNetworkPolicy: Hashable, Sendable {
    /// Nil for a CiliumClusterwideNetworkPolicy.
    public var namespace: String?
    public var name: String
    public var rules: [CiliumRule]
    public var mode: PolicyMode

    public init(namespace: String?, name: String, rules: [CiliumRule], mode: PolicyMode = .enforce) {
        self.namespace = namespace
        self.name = name
        self.rules = rules
        self.mode = mode
    }

    public var isClusterwide: Bool { namespace == nil }

    public var kind: PolicyKind { isClusterwide ? .ciliumClusterwideNetworkPolicy : .ciliumNetworkPolicy }

    public var reference: ObjectReference {
        ObjectReference(kind: kind.rawValue, namespace: namespace, name: name)
    }
}

/// One Cilium rule (`spec`, or an item of `specs`).
public struct CiliumRule: Hashable, Sendable {
    /// Label keys without their source prefix (`k8s:` / `any:`).
    public var endpointSelector: KubernetesLabelSelector
    public var ingress: [CiliumPeerRule]
    public var ingressDeny: [CiliumPeerRule]
    public var egress: [CiliumPeerRule]
    public var egressDeny: [CiliumPeerRule]
    /// `enableDefaultDeny`: nil fields take Cilium's default (on when the direction has rules).
    public var defaultDenyIngress: Bool?
    public var defaultDenyEgress: Bool?
    public var description: String?
    /// Where the rule is in its object, `spec` or `specs[1]`: rule origins name it.
    public var location: String

    public init(
        endpointSelector: KubernetesLabelSelector = KubernetesLabelSelector(), ingress: [CiliumPeerRule] = [],
        ingressDeny: [CiliumPeerRule] = [], egress: [CiliumPeerRule] = [], egressDeny: [CiliumPeerRule] = [],
        defaultDenyIngress: Bool? = nil, defaultDenyEgress: Bool? = nil, description: String? = nil,
        location: String = "spec"
    ) {
        self.location = location
        self.endpointSelector = endpointSelector
        self.ingress = ingress
        self.ingressDeny = ingressDeny
        self.egress = egress
        self.egressDeny = egressDeny
        self.defaultDenyIngress = defaultDenyIngress
        self.defaultDenyEgress = defaultDenyEgress
        self.description = description
    }

    /// Whether the rule puts its endpoints in default deny for `direction`.
    public func enablesDefaultDeny(_ direction: TrafficDirection) -> Bool {
        switch direction {
        case .ingress: defaultDenyIngress ?? !(ingress.isEmpty && ingressDeny.isEmpty)
        case .egress: defaultDenyEgress ?? !(egress.isEmpty && egressDeny.isEmpty)
        }
    }
}

/// One item of `ingress`, `ingressDeny`, `egress` or `egressDeny`.
public struct CiliumPeerRule: Hashable, Sendable {
    /// `fromEndpoints` / `toEndpoints`, namespace defaulting not yet applied.
    public var endpoints: [KubernetesLabelSelector]
    /// `fromCIDR` / `toCIDR` (no exceptions) and `fromCIDRSet` / `toCIDRSet`.
    public var cidrs: [CIDRBlock]
    public var entities: [PolicyEntity]
    /// `toPorts[].ports[]`, flattened; empty: every port and protocol.
    public var ports: [CiliumPort]

    public init(
        endpoints: [KubernetesLabelSelector] = [], cidrs: [CIDRBlock] = [], entities: [PolicyEntity] = [],
        ports: [CiliumPort] = []
    ) {
        self.endpoints = endpoints
        self.cidrs = cidrs
        self.entities = entities
        self.ports = ports
    }

    /// No peer list at all: with ports it means every peer, without it nothing.
    public var hasNoPeers: Bool { endpoints.isEmpty && cidrs.isEmpty && entities.isEmpty }
}

/// A Cilium `PortProtocol`.
public struct CiliumPort: Hashable, Sendable {
    /// Nil: every port (Cilium's port "0").
    public var port: PortSelector?
    public var `protocol`: CiliumProtocol

    public init(port: PortSelector?, protocol: CiliumProtocol = .any) {
        self.port = port
        self.protocol = `protocol`
    }
}

/// A Cilium port protocol.
public enum CiliumProtocol: String, Hashable, Sendable, CaseIterable {
    case tcp = "TCP"
    case udp = "UDP"
    case sctp = "SCTP"
    /// TCP, UDP and SCTP; with port 0, every protocol.
    case any = "ANY"

    public var transports: [TransportProtocol] {
        switch self {
        case .tcp: [.tcp]
        case .udp: [.udp]
        case .sctp: [.sctp]
        case .any: [.tcp, .udp, .sctp]
        }
    }
}
