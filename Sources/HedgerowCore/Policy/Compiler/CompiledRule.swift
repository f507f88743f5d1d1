/// One policy rule in the single form both languages reduce to: "endpoints matching `subject`,
/// in `direction`, are isolated / allow / deny traffic with these peers on these ports".
/// Every selector is over identity labels (see `IdentityLabels`), namespace scoping included.
/// Immutable and shared by reference: endpoints look their rules up many times per update.
final class CompiledRule: Sendable {
    enum Effect: Hashable, Sendable {
        /// Puts the subject in default deny for the direction, allows nothing by itself.
        case isolate
        case allow
        case deny
    }

    let policy: ObjectReference
    /// The rule's name in traces and entries: "NetworkPolicy x/db ingress[0]".
    let origin: String
    let subject: KubernetesLabelSelector
    let direction: TrafficDirection
    let effect: Effect
    /// Nil: every peer (a wildcard entry). Empty: no peer (the rule allows or denies nothing).
    let peers: [RulePeer]?
    /// Nil: every protocol and port (ICMP included).
    let ports: [RulePort]?
    /// The (protocol, port prefix) keys of the ports that are not names, computed once.
    let numericKeys: [(proto: UInt8, prefix: PortPrefix)]
    let namedPorts: [NamedPort]

    init(
        policy: ObjectReference, origin: String, subject: KubernetesLabelSelector, direction: TrafficDirection,
        effect: Effect, peers: [RulePeer]?, ports: [RulePort]?
    ) {
        self.policy = policy
        self.origin = origin
        self.subject = subject
        self.direction = direction
        self.effect = effect
        self.peers = peers
        self.ports = ports
        var numericKeys: [(proto: UInt8, prefix: PortPrefix)] = []
        var namedPorts: [NamedPort] = []
        for port in ports ?? [.everything] {
            switch port {
            case .everything: numericKeys.append((0, .all))
            case .numbers(let proto, let range): numericKeys += PortPrefix.covering(range).map { (proto.number, $0) }
            case .named(let proto, let name): namedPorts.append(NamedPort(name: name, proto: proto))
            }
        }
        self.numericKeys = numericKeys
        self.namedPorts = namedPorts
    }

    var hasNamedPorts: Bool { !namedPorts.isEmpty }
}

/// A set of remote identities that a rule names; its members are computed by the compiler and
/// cached per distinct value, since many rules repeat the same selectors.
enum RulePeer: Hashable, Sendable {
    /// Pods whose identity labels match.
    case selector(KubernetesLabelSelector)
    /// CIDR identities inside the block, and pods whose address is in it.
    case cidr(CIDRBlock)
    case entity(PolicyEntity)
}

enum RulePort: Hashable, Sendable {
    /// A range of one protocol; 0...65535 is every port of it.
    case numbers(TransportProtocol, ClosedRange<UInt16>)
    /// A container port name of one protocol, resolved against the destination pod.
    case named(TransportProtocol, String)
    /// Every protocol and port (Cilium's port 0 with protocol ANY).
    case everything
}
