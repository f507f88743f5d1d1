/// What the cluster looks like: namespaces, pods, policies, services and endpoint slices. A value: sources build a new state, consumers diff it against the previous one.
///
/// Every namespace that pods live in exists: one without a Namespace object is *implied*
/// (`Namespace.isImplied`), with only the automatic `kubernetes.io/metadata.name` label.
/// Kubernetes would refuse such pods; standalone users expect them to work.
public struct ClusterState: Hashable, Sendable {
    /// By name, declared and implied.
    public private(set) var namespaces: [String: Namespace]
    public private(set) var pods: [NamespacedName: Pod]
    /// NetworkPolicy, CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy objects, keyed by
    /// kind, namespace (nil for clusterwide) and name.
    public private(set) var policies: [ObjectReference: PolicyObject]
    public private(set) var services: [NamespacedName: Service]
    public private(set) var endpointSlices: [NamespacedName: EndpointSlice]

    public init() {
        namespaces = [:]
        pods = [:]
        policies = [:]
        services = [:]
        endpointSlices = [:]
    }

    /// `namespaces` are the declared ones; namespaces of pods that are not declared are implied.
    /// For duplicate names the last one wins (manifest loading reports duplicates instead).
    public init(
        namespaces: [Namespace], pods: [Pod], policies: [PolicyObject] = [], services: [Service] = [],
        endpointSlices: [EndpointSlice] = []
    ) {
        self.namespaces = Dictionary(namespaces.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.pods = Dictionary(pods.map { ($0.namespacedName, $0) }, uniquingKeysWith: { _, last in last })
        self.policies = Dictionary(policies.map { ($0.reference, $0) }, uniquingKeysWith: { _, last in last })
        self.services = Dictionary(services.map { ($0.namespacedName, $0) }, uniquingKeysWith: { _, last in last })
        self.endpointSlices = Dictionary(
            endpointSlices.map { ($0.namespacedName, $0) }, uniquingKeysWith: { _, last in last })
        for pod in pods where self.namespaces[pod.namespace] == nil {
            self.namespaces[pod.namespace] = Namespace(name: pod.namespace, isImplied: true)
        }
    }

    public func pod(namespace: String, name: String) -> Pod? {
        pods[NamespacedName(namespace: namespace, name: name)]
    }

    /// The labels of a namespace (declared or implied); nil when it does not exist.
    public func namespaceLabels(_ namespace: String) -> Labels? {
        namespaces[namespace]?.labels
    }

    /// The pods of one namespace, sorted by name.
    public func pods(inNamespace namespace: String) -> [Pod] {
        pods.values.filter { $0.namespace == namespace }.sorted { $0.name < $1.name }
    }

    /// All pods sorted by namespace and name.
    public var sortedPods: [Pod] { pods.values.sorted { $0.namespacedName < $1.namespacedName } }

    /// Services and endpoint slices sorted by namespace and name (the order `ServiceModel.build` reads).
    public var sortedServices: [Service] { services.values.sorted { $0.namespacedName < $1.namespacedName } }
    public var sortedEndpointSlices: [EndpointSlice] {
        endpointSlices.values.sorted { $0.namespacedName < $1.namespacedName }
    }

    /// All namespaces sorted by name.
    public var sortedNamespaces: [Namespace] { namespaces.values.sorted { $0.name < $1.name } }
}
