/// Everything the policy compiler reads: the cluster (namespaces, every pod with its labels,
/// ports and addresses, policies) and which pods are this node's endpoints.
///
/// Remote pods matter too: they get identities and ipcache entries, and their container ports
/// resolve named ports of egress rules.
public struct PolicyInputs: Hashable, Sendable {
    public var namespaces: [String: Namespace]
    public var pods: [NamespacedName: Pod]
    public var policies: [ObjectReference: PolicyObject]
    /// The pods whose traffic this node enforces (their EndpointPolicy is computed). Host-network
    /// pods are never endpoints and get no identity of their own.
    public var localEndpoints: Set<NamespacedName>

    public init(
        namespaces: [String: Namespace] = [:], pods: [NamespacedName: Pod] = [:],
        policies: [ObjectReference: PolicyObject] = [:], localEndpoints: Set<NamespacedName> = []
    ) {
        self.namespaces = namespaces
        self.pods = pods
        self.policies = policies
        self.localEndpoints = localEndpoints
    }

    /// The inputs of a cluster state; `localEndpoints` nil means every pod is local (standalone
    /// single-node use).
    public init(state: ClusterState, localEndpoints: Set<NamespacedName>? = nil) {
        self.init(
            namespaces: state.namespaces, pods: state.pods, policies: state.policies,
            localEndpoints: localEndpoints ?? Set(state.pods.keys))
    }

    /// A pod's namespace; one that is not declared has only its name label, as implied namespaces do.
    func namespace(of pod: Pod) -> Namespace {
        namespaces[pod.namespace] ?? Namespace(name: pod.namespace, isImplied: true)
    }

    /// The identity labels of a pod, nil for host-network pods (they are the node).
    func identityLabels(of pod: Pod) -> Labels? {
        pod.hostNetwork ? nil : IdentityLabels.of(pod, in: namespace(of: pod))
    }
}

/// What changed between two `PolicyInputs`, by key.
struct PolicyInputChanges {
    var pods: Set<NamespacedName> = []
    var namespaces: Set<String> = []
    var policies: Set<ObjectReference> = []
    var localEndpoints: Set<NamespacedName> = []

    var isEmpty: Bool { pods.isEmpty && namespaces.isEmpty && policies.isEmpty && localEndpoints.isEmpty }

    init() {}

    init(from old: PolicyInputs, to new: PolicyInputs) {
        pods = Self.changedKeys(old.pods, new.pods)
        namespaces = Self.changedKeys(old.namespaces, new.namespaces)
        policies = Self.changedKeys(old.policies, new.policies)
        localEndpoints = old.localEndpoints.symmetricDifference(new.localEndpoints)
    }

    private static func changedKeys<Key: Hashable, Value: Equatable>(_ old: [Key: Value], _ new: [Key: Value]) -> Set<
        Key
    > {
        var keys: Set<Key> = []
        for (key, value) in new where old[key] != value { keys.insert(key) }
        for key in old.keys where new[key] == nil { keys.insert(key) }
        return keys
    }
}
