/// What a lab file describes: nodes (network namespaces running an agent), Kubernetes
/// namespaces and pods placed on nodes. Values only; `LabFileDecoder` builds them strictly and
/// `LabValidator` checks the rules that span fields.
public struct LabSpec: Codable, Equatable, Sendable {
    public var name: String
    public var nodes: [NodeSpec]
    public var namespaces: [NamespaceSpec]
    public var pods: [PodSpec]
    /// The network joining the nodes (their `eth0`s); `underlayCIDR` when not given.
    public var underlay: IPv4CIDR?

    /// Private to each lab (it lives in the lab's own namespaces), so every lab may use it.
    public static let defaultUnderlay = IPv4CIDR("192.168.200.0/24")!

    public init(name: String, nodes: [NodeSpec], namespaces: [NamespaceSpec], pods: [PodSpec], underlay: IPv4CIDR? = nil) {
        self.name = name
        self.nodes = nodes
        self.namespaces = namespaces
        self.pods = pods
        self.underlay = underlay
    }

    public var underlayCIDR: IPv4CIDR { underlay ?? Self.defaultUnderlay }

    public func node(named name: String) -> NodeSpec? { nodes.first { $0.name == name } }
    public func namespace(named name: String) -> NamespaceSpec? { namespaces.first { $0.name == name } }
}

public struct NodeSpec: Codable, Equatable, Sendable {
    public var name: String
    /// The range host-local allocates this node's pod addresses from.
    public var podCIDR: IPv4CIDR

    public init(name: String, podCIDR: IPv4CIDR) {
        self.name = name
        self.podCIDR = podCIDR
    }
}

public struct NamespaceSpec: Codable, Equatable, Sendable {
    public var name: String
    public var labels: [String: String]

    public init(name: String, labels: [String: String] = [:]) {
        self.name = name
        self.labels = labels
    }
}

public struct PodSpec: Codable, Equatable, Sendable {
    public var namespace: String
    public var name: String
    public var node: String
    public var labels: [String: String]
    public var ports: [ContainerPort]

    public init(namespace: String, name: String, node: String, labels: [String: String] = [:], ports: [ContainerPort] = []) {
        self.namespace = namespace
        self.name = name
        self.node = node
        self.labels = labels
        self.ports = ports
    }

    /// `namespace/name`, how commands and tables name a pod.
    public var qualifiedName: String { "\(namespace)/\(name)" }
}

/// A container port as in a Pod spec: named ports are what NetworkPolicy rules may refer to.
public struct ContainerPort: Codable, Equatable, Sendable {
    public var name: String?
    public var containerPort: Int
    public var `protocol`: PortProtocol

    public init(name: String? = nil, containerPort: Int, protocol: PortProtocol = .tcp) {
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
    }
}

public enum PortProtocol: String, Codable, CaseIterable, Sendable {
    case tcp = "TCP"
    case udp = "UDP"
    case sctp = "SCTP"
}
