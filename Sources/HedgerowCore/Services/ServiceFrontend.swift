/// How traffic reaches a frontend, which decides the traffic policy that applies.
public enum FrontendKind: String, Hashable, Sendable, CaseIterable {
    case clusterIP = "ClusterIP"
    case externalIP = "ExternalIP"
    case loadBalancer = "LoadBalancer"
    case nodePort = "NodePort"

    /// Traffic from outside the cluster: `externalTrafficPolicy` applies, and the node-level
    /// LB chooses backends by Maglev.
    public var isExternal: Bool { self != .clusterIP }
}

/// One VIP:port:protocol that the datapath translates, with the backends to use, ordered by
/// address. Zero backends means "reject" (the datapath answers with an error instead of
/// silently dropping).
public struct ServiceFrontend: Hashable, Sendable, CustomStringConvertible {
    public var key: FrontendKey
    public var kind: FrontendKind
    public var service: NamespacedName
    /// The Service port's name (nil when unnamed).
    public var portName: String?
    /// Stable numeric id; also the rev-NAT index that maps replies back to this frontend.
    public var id: ServiceID
    public var backends: [ServiceBackend]
    public var sessionAffinity: SessionAffinity
    /// The policy that selected `backends` (internal for ClusterIP, external otherwise).
    public var trafficPolicy: TrafficPolicy

    public init(
        key: FrontendKey, kind: FrontendKind, service: NamespacedName, portName: String? = nil, id: ServiceID,
        backends: [ServiceBackend] = [], sessionAffinity: SessionAffinity = .none, trafficPolicy: TrafficPolicy = .cluster
    ) {
        self.key = key
        self.kind = kind
        self.service = service
        self.portName = portName
        self.id = id
        self.backends = backends
        self.sessionAffinity = sessionAffinity
        self.trafficPolicy = trafficPolicy
    }

    /// Maglev permutations per backend for node-level load balancing (external frontends).
    public func maglevTable(_ configuration: MaglevConfiguration = .default) -> MaglevTable {
        MaglevTable(backendNames: backends.map(\.address.description), configuration: configuration)
    }

    public var description: String {
        "\(key) \(kind.rawValue) \(service)\(portName.map { ":" + $0 } ?? "") id \(id.rawValue), \(backends.count) backend(s)"
    }
}
