/// A transport protocol as Kubernetes names it in ports, with its IP protocol number.
public enum TransportProtocol: String, Hashable, Sendable, CaseIterable, Comparable {
    case tcp = "TCP"
    case udp = "UDP"
    case sctp = "SCTP"

    /// The IP protocol number (IANA): TCP 6, UDP 17, SCTP 132.
    public var number: UInt8 {
        switch self {
        case .tcp: 6
        case .udp: 17
        case .sctp: 132
        }
    }

    public static func < (lhs: TransportProtocol, rhs: TransportProtocol) -> Bool { lhs.number < rhs.number }
}

/// A port a container declares (`spec.containers[].ports[]`).
public struct ContainerPort: Hashable, Sendable {
    /// The port's name (an IANA service name), which named ports in policies refer to.
    public var name: String?
    public var port: UInt16
    public var `protocol`: TransportProtocol

    public init(name: String? = nil, port: UInt16, protocol: TransportProtocol = .tcp) {
        self.name = name
        self.port = port
        self.protocol = `protocol`
    }
}

/// A container of a pod: only what networking needs.
public struct Container: Hashable, Sendable {
    public var name: String?
    public var ports: [ContainerPort]

    public init(name: String? = nil, ports: [ContainerPort] = []) {
        self.name = name
        self.ports = ports
    }
}

/// A Kubernetes pod: the fields that networking needs.
public struct Pod: Hashable, Sendable {
    public var namespace: String
    public var name: String
    public var labels: Labels
    /// `spec.nodeName`: the node the pod runs on, when known.
    public var nodeName: String?
    /// `spec.hostNetwork`: the pod shares its node's network namespace (and addresses).
    public var hostNetwork: Bool
    public var containers: [Container]
    /// `status.podIPs` (or `status.podIP`): at most one address per family, primary first.
    /// Empty when the manifest does not say; in a lab the CNI result provides them.
    public var ips: [IPAddress]

    public init(
        namespace: String = "default", name: String, labels: Labels = Labels(), nodeName: String? = nil,
        hostNetwork: Bool = false, containers: [Container] = [], ips: [IPAddress] = []
    ) {
        self.namespace = namespace
        self.name = name
        self.labels = labels
        self.nodeName = nodeName
        self.hostNetwork = hostNetwork
        self.containers = containers
        self.ips = ips
    }

    public var namespacedName: NamespacedName { NamespacedName(namespace: namespace, name: name) }

    /// Every container's ports, in declaration order.
    public var ports: [ContainerPort] { containers.flatMap(\.ports) }

    /// The first port with this name and protocol (how Kubernetes resolves named ports).
    public func port(named name: String, protocol: TransportProtocol) -> ContainerPort? {
        ports.first { $0.name == name && $0.protocol == `protocol` }
    }
}
