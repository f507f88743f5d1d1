import HedgerowCore

/// A kind of object Hedgerow lists and watches, cluster-wide, and where the API serves it.
public struct KubernetesResource: Hashable, Sendable, CustomStringConvertible {
    public var kind: String
    public var apiVersion: String
    /// The collection's URL path, e.g. `/apis/discovery.k8s.io/v1/endpointslices`.
    public var path: String
    /// Served by a CustomResourceDefinition that may not be installed: a 404 means "none",
    /// not a failure.
    public var isCustomResource: Bool

    public init(kind: String, apiVersion: String, path: String, isCustomResource: Bool = false) {
        self.kind = kind
        self.apiVersion = apiVersion
        self.path = path
        self.isCustomResource = isCustomResource
    }

    public var description: String { "\(kind) (\(path))" }

    public static let namespaces = KubernetesResource(kind: "Namespace", apiVersion: "v1", path: "/api/v1/namespaces")
    public static let pods = KubernetesResource(kind: "Pod", apiVersion: "v1", path: "/api/v1/pods")
    public static let services = KubernetesResource(kind: "Service", apiVersion: "v1", path: "/api/v1/services")
    public static let endpointSlices = KubernetesResource(
        kind: "EndpointSlice", apiVersion: "discovery.k8s.io/v1", path: "/apis/discovery.k8s.io/v1/endpointslices")
    public static let networkPolicies = KubernetesResource(
        kind: PolicyKind.networkPolicy.rawValue, apiVersion: PolicyKind.networkPolicy.apiVersion,
        path: "/apis/networking.k8s.io/v1/networkpolicies")
    public static let ciliumNetworkPolicies = KubernetesResource(
        kind: PolicyKind.ciliumNetworkPolicy.rawValue, apiVersion: PolicyKind.ciliumNetworkPolicy.apiVersion,
        path: "/apis/cilium.io/v2/ciliumnetworkpolicies", isCustomResource: true)
    public static let ciliumClusterwideNetworkPolicies = KubernetesResource(
        kind: PolicyKind.ciliumClusterwideNetworkPolicy.rawValue,
        apiVersion: PolicyKind.ciliumClusterwideNetworkPolicy.apiVersion,
        path: "/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies", isCustomResource: true)

    /// Everything `ClusterState` is built from.
    public static let all: [KubernetesResource] = [
        .namespaces, .pods, .services, .endpointSlices, .networkPolicies, .ciliumNetworkPolicies,
        .ciliumClusterwideNetworkPolicies,
    ]
}
