/// `spec.type` of a Service.
public enum ServiceType: String, Hashable, Sendable, CaseIterable {
    case clusterIP = "ClusterIP"
    case nodePort = "NodePort"
    case loadBalancer = "LoadBalancer"
    /// A DNS alias (CNAME): nothing to translate, so the service model ignores it.
    case externalName = "ExternalName"
}

/// `externalTrafficPolicy` / `internalTrafficPolicy`: whether a frontend may use backends on
/// any node or only on the node that received the traffic.
public enum TrafficPolicy: String, Hashable, Sendable, CaseIterable {
    case cluster = "Cluster"
    case local = "Local"
}

/// `spec.sessionAffinity` with its timeout.
public enum SessionAffinity: Hashable, Sendable {
    case none
    /// Connections from one client IP go to the same backend while the client keeps coming
    /// back within `timeoutSeconds` (1...86400).
    case clientIP(timeoutSeconds: UInt32)

    /// Kubernetes' default `sessionAffinityConfig.clientIP.timeoutSeconds` (3 hours).
    public static let defaultTimeoutSeconds: UInt32 = 10800
    /// The largest timeout Kubernetes accepts (one day).
    public static let maximumTimeoutSeconds: UInt32 = 86400

    public var timeoutSeconds: UInt32? {
        if case .clientIP(let timeout) = self { return timeout }
        return nil
    }
}

/// `spec.ports[].targetPort`: a number, or the name of a container port resolved per backend pod.
public enum TargetPort: Hashable, Sendable, CustomStringConvertible {
    case number(UInt16)
    case name(String)

    public var description: String {
        switch self {
        case .number(let number): String(number)
        case .name(let name): name
        }
    }
}

/// One entry of `spec.ports`.
public struct ServicePort: Hashable, Sendable {
    /// Required by Kubernetes when a service has several ports; EndpointSlice ports carry the
    /// same name, which is how their numbers are matched to this port.
    public var name: String?
    public var `protocol`: TransportProtocol
    public var port: UInt16
    /// Defaults to `port`.
    public var targetPort: TargetPort
    /// Nil when not set (ClusterIP services, or LoadBalancer with
    /// `allocateLoadBalancerNodePorts: false`).
    public var nodePort: UInt16?

    public init(
        name: String? = nil, protocol: TransportProtocol = .tcp, port: UInt16, targetPort: TargetPort? = nil,
        nodePort: UInt16? = nil
    ) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.targetPort = targetPort ?? .number(port)
        self.nodePort = nodePort
    }
}

/// A Kubernetes `v1 Service`: the fields service translation needs.
public struct Service: Hashable, Sendable {
    public var namespace: String
    public var name: String
    public var labels: Labels
    public var type: ServiceType
    /// `spec.clusterIPs` (or `spec.clusterIP`): at most one per family, primary first. Empty
    /// for headless services and when no address was assigned.
    public var clusterIPs: [IPAddress]
    /// `clusterIP: None`: DNS-only, no virtual IP, so the service model ignores it.
    public var isHeadless: Bool
    /// `spec.externalName` of ExternalName services.
    public var externalName: String?
    public var ports: [ServicePort]
    /// Nil when the service has no selector (its EndpointSlices are managed by someone else).
    public var selector: Labels?
    public var sessionAffinity: SessionAffinity
    /// Applies to NodePort, LoadBalancer and external IP frontends.
    public var externalTrafficPolicy: TrafficPolicy
    /// Applies to ClusterIP frontends.
    public var internalTrafficPolicy: TrafficPolicy
    public var externalIPs: [IPAddress]
    /// `status.loadBalancer.ingress[].ip` (hostname-only entries are not addresses and are skipped).
    public var loadBalancerIngressIPs: [IPAddress]
    /// Whether a LoadBalancer service gets node ports (Kubernetes' default: true).
    public var allocateLoadBalancerNodePorts: Bool

    public init(
        namespace: String = "default", name: String, labels: Labels = Labels(), type: ServiceType = .clusterIP,
        clusterIPs: [IPAddress] = [], isHeadless: Bool = false, externalName: String? = nil,
        ports: [ServicePort] = [], selector: Labels? = nil, sessionAffinity: SessionAffinity = .none,
        externalTrafficPolicy: TrafficPolicy = .cluster, internalTrafficPolicy: TrafficPolicy = .cluster,
        externalIPs: [IPAddress] = [], loadBalancerIngressIPs: [IPAddress] = [],
        allocateLoadBalancerNodePorts: Bool = true
    ) {
        self.namespace = namespace
        self.name = name
        self.labels = labels
        self.type = type
        self.clusterIPs = clusterIPs
        self.isHeadless = isHeadless
        self.externalName = externalName
        self.ports = ports
        self.selector = selector
        self.sessionAffinity = sessionAffinity
        self.externalTrafficPolicy = externalTrafficPolicy
        self.internalTrafficPolicy = internalTrafficPolicy
        self.externalIPs = externalIPs
        self.loadBalancerIngressIPs = loadBalancerIngressIPs
        self.allocateLoadBalancerNodePorts = allocateLoadBalancerNodePorts
    }

    public var namespacedName: NamespacedName { NamespacedName(namespace: namespace, name: name) }

    /// Whether node ports apply to this service's type.
    public var hasNodePorts: Bool { type == .nodePort || type == .loadBalancer }
}
