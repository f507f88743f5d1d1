/// A Kubernetes `networking.k8s.io/v1 NetworkPolicy`, validated and defaulted as the API
/// server does.
///
/// Kubernetes' empty-versus-absent rules, as they are kept here:
/// - `policyTypes` absent or empty: Ingress, plus Egress when `egress` has rules. A direction
///   not in `policyTypes` is not isolated and its rules are ignored.
/// - `ingress` / `egress` absent or empty: nothing is allowed in that direction (if isolated).
/// - a rule's `from` / `to` absent or empty: every peer; `ports` absent or empty: every port
///   and protocol (ICMP too).
/// - a peer's `podSelector: {}` is every pod of the policy's namespace (with no
///   namespaceSelector), `namespaceSelector: {}` every namespace.
public struct NetworkPolicy: Hashable, Sendable {
    public var namespace: String
    public var name: String
    /// The pods of `namespace` the policy applies to (`{}`: all of them).
    public var podSelector: KubernetesLabelSelector
    /// After defaulting: the directions the policy isolates.
    public var policyTypes: Set<TrafficDirection>
    public var ingress: [NetworkPolicyRule]
    public var egress: [NetworkPolicyRule]
    public var mode: PolicyMode

    public init(
        namespace: String, name: String, podSelector: KubernetesLabelSelector = KubernetesLabelSelector(),
        policyTypes: Set<TrafficDirection>? = nil, ingress: [NetworkPolicyRule] = [], egress: [NetworkPolicyRule] = [],
        mode: PolicyMode = .enforce
    ) {
        self.namespace = namespace
        self.name = name
        self.podSelector = podSelector
        self.policyTypes = policyTypes ?? Self.defaultPolicyTypes(hasEgressRules: !egress.isEmpty)
        self.ingress = ingress
        self.egress = egress
        self.mode = mode
    }

    /// Kubernetes' defaulting of an absent or empty `policyTypes`.
    public static func defaultPolicyTypes(hasEgressRules: Bool) -> Set<TrafficDirection> {
        hasEgressRules ? [.ingress, .egress] : [.ingress]
    }

    public var reference: ObjectReference {
        ObjectReference(kind: PolicyKind.networkPolicy.rawValue, namespace: namespace, name: name)
    }
}

/// One ingress rule (peers are sources) or egress rule (peers are destinations).
public struct NetworkPolicyRule: Hashable, Sendable {
    /// Empty: every peer.
    public var peers: [NetworkPolicyPeer]
    /// Empty: every port and protocol.
    public var ports: [NetworkPolicyPort]

    public init(peers: [NetworkPolicyPeer] = [], ports: [NetworkPolicyPort] = []) {
        self.peers = peers
        self.ports = ports
    }
}

public enum NetworkPolicyPeer: Hashable, Sendable {
    /// Pods selected by labels. With only `podSelector`: pods of the policy's namespace. With only
    /// `namespaceSelector`: every pod of the selected namespaces. With both: the selected pods of
    /// the selected namespaces (AND). At least one is set.
    case pods(podSelector: KubernetesLabelSelector?, namespaceSelector: KubernetesLabelSelector?)
    /// An address block; it matches pods by their addresses too.
    case ipBlock(CIDRBlock)
}

/// A CIDR with exceptions (`ipBlock`, Cilium's `fromCIDRSet`). Exceptions lie strictly inside.
public struct CIDRBlock: Hashable, Sendable, CustomStringConvertible {
    public var cidr: IPPrefix
    public var except: [IPPrefix]

    public init(cidr: IPPrefix, except: [IPPrefix] = []) {
        self.cidr = cidr
        self.except = Array(Set(except)).sorted()
    }

    /// Whether `address` is in the block and in none of its exceptions.
    public func contains(_ address: IPAddress) -> Bool {
        cidr.contains(address) && !except.contains { $0.contains(address) }
    }

    public var description: String {
        except.isEmpty ? cidr.description : "\(cidr) except \(except.map(\.description).joined(separator: ","))"
    }
}

/// A port of a NetworkPolicy rule: a protocol with all its ports, one port, a range or a name.
public struct NetworkPolicyPort: Hashable, Sendable {
    public var `protocol`: TransportProtocol
    /// Nil: every port of the protocol.
    public var port: PortSelector?

    public init(protocol: TransportProtocol = .tcp, port: PortSelector? = nil) {
        self.protocol = `protocol`
        self.port = port
    }
}

/// Which destination ports a rule means.
public enum PortSelector: Hashable, Sendable, CustomStringConvertible {
    /// One port or an inclusive range (`port` .. `endPort`).
    case numbers(ClosedRange<UInt16>)
    /// A container port name, resolved against the destination pod's ports.
    case named(String)

    public var description: String {
        switch self {
        case .numbers(let range) where range.count == 1: "\(range.lowerBound)"
        case .numbers(let range): "\(range.lowerBound)-\(range.upperBound)"
        case .named(let name): name
        }
    }
}
