/// `addressType` of an EndpointSlice.
public enum EndpointAddressType: String, Hashable, Sendable, CaseIterable {
    case ipv4 = "IPv4"
    case ipv6 = "IPv6"
    /// Deprecated in Kubernetes and not translatable: slices of this type are ignored.
    case fqdn = "FQDN"

    public var family: IPFamily? {
        switch self {
        case .ipv4: .ipv4
        case .ipv6: .ipv6
        case .fqdn: nil
        }
    }
}

/// `endpoints[].conditions`, kept as written (nil = not set) with Kubernetes' reading rules.
public struct EndpointConditions: Hashable, Sendable {
    public var ready: Bool?
    public var serving: Bool?
    public var terminating: Bool?

    public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
        self.ready = ready
        self.serving = serving
        self.terminating = terminating
    }

    /// Unset means ready: the API says consumers should read an unknown state as ready.
    public var isReady: Bool { ready ?? true }
    /// Unset defers to `ready`.
    public var isServing: Bool { serving ?? isReady }
    /// Unset means not terminating.
    public var isTerminating: Bool { terminating ?? false }
}

/// One entry of `endpoints[]`.
public struct Endpoint: Hashable, Sendable {
    /// Addresses of the slice's family (Kubernetes consumers use the first; all are kept).
    /// Empty for FQDN slices.
    public var addresses: [IPAddress]
    public var conditions: EndpointConditions
    public var nodeName: String?
    /// Usually the backing Pod.
    public var targetRef: ObjectReference?

    public init(
        addresses: [IPAddress], conditions: EndpointConditions = EndpointConditions(), nodeName: String? = nil,
        targetRef: ObjectReference? = nil
    ) {
        self.addresses = addresses
        self.conditions = conditions
        self.nodeName = nodeName
        self.targetRef = targetRef
    }
}

/// One entry of `ports[]`. A nil port number means the slice does not restrict ports (the
/// consumer resolves the Service's targetPort itself).
public struct EndpointPort: Hashable, Sendable {
    public var name: String?
    public var port: UInt16?
    public var `protocol`: TransportProtocol

    public init(name: String? = nil, port: UInt16?, protocol: TransportProtocol = .tcp) {
        self.name = name
        self.port = port
        self.protocol = `protocol`
    }
}

/// A `discovery.k8s.io/v1 EndpointSlice`: a Service's backends (or part of them).
public struct EndpointSlice: Hashable, Sendable {
    /// The label that links a slice to its Service.
    public static let serviceNameLabel = "kubernetes.io/service-name"

    public var namespace: String
    public var name: String
    public var labels: Labels
    public var addressType: EndpointAddressType
    public var endpoints: [Endpoint]
    public var ports: [EndpointPort]

    public init(
        namespace: String = "default", name: String, labels: Labels = Labels(),
        addressType: EndpointAddressType = .ipv4, endpoints: [Endpoint] = [], ports: [EndpointPort] = []
    ) {
        self.namespace = namespace
        self.name = name
        self.labels = labels
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    public var namespacedName: NamespacedName { NamespacedName(namespace: namespace, name: name) }

    /// The Service this slice belongs to (same namespace), from `kubernetes.io/service-name`.
    public var serviceName: NamespacedName? {
        guard let name = labels[Self.serviceNameLabel], !name.isEmpty else { return nil }
        return NamespacedName(namespace: namespace, name: name)
    }
}
