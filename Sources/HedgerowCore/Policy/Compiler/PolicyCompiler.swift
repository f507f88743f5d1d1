/// Compiles policies x endpoints x identities into one `EndpointPolicy` per local endpoint,
/// incrementally.
///
/// The compiler keeps its inputs (`PolicyInputs`) and everything derived from them: pod
/// identities (`IdentityAllocator`), the ipcache, the rules of every policy in one normalized
/// form, and a cache of each distinct selector's member identities. An update is diffed against
/// the kept inputs; only what it touches is recomputed:
///
/// - a pod whose labels (or namespace's labels) change moves to another identity; selectors
///   are re-matched for the identities involved only;
/// - an endpoint is recompiled when its own pod changed, when a rule that selects it was added,
///   removed or changed, when a selector that is the subject of a rule starts or stops matching
///   it, or when a peer of a rule that selects it gained or lost identities (or, for egress
///   named ports, when a peer identity's pods changed their ports);
/// - the result is a `PolicyUpdate`: per-endpoint diffs, identity and ipcache changes.
///
/// A full compile is an update from empty inputs. Results are deterministic for the same
/// sequence of updates (identities are numbered in pod name order within an update).
///
/// ## Semantics, and where they are approximations
///
/// - Selectors (pod, namespace, endpoint) match identity labels, so they select identities;
///   entries name remote identities, never addresses.
/// - A CIDR peer (ipBlock, toCIDR, toCIDRSet) stands for the CIDR identities inside it (not
///   inside an exception) and for the identities of pods with an address inside it (not inside
///   an exception): the upstream ipBlock tests allow and deny pods by address. Limit: when two
///   pods share an identity and only one is inside, both are matched (an allow lets both in, a
///   deny keeps both out). Unlike Cilium, CNP CIDR rules match pods too. A /0 CIDR includes
///   world, which stands for unknown addresses of both families.
/// - Entities: see `PolicyEntity` (`world` is world plus every CIDR identity, `cluster` every
///   pod identity plus host, remote-node, init, health and unmanaged, `all` a wildcard entry).
/// - Named ports resolve against the destination pod: for ingress the endpoint's own container
///   ports; for egress each remote identity's pods' ports (numbers may differ per identity; an
///   identity whose pods disagree gets every number). A rule with no peers (every identity)
///   and a named port gets a wildcard entry for every number some pod gives that name.
/// - Ports make a rule TCP/UDP/SCTP-only; only rules without ports allow ICMP and other
///   protocols.
/// - Host-network pods have no identity of their own and are not endpoints.
public struct PolicyCompiler: Sendable {
    public struct Options: Hashable, Sendable {
        /// Kubernetes allows traffic from a pod's node to the pod whatever the policies say (the
        /// kubelet's probes need it): an allow entry from the host identity on every enforced
        /// ingress. Explicit denies of host still win.
        public var allowIngressFromHost: Bool
        /// Every policy in audit mode, whatever its annotation says (hagent's `--policy-audit`).
        public var auditEverything: Bool

        public init(allowIngressFromHost: Bool = true, auditEverything: Bool = false) {
            self.allowIngressFromHost = allowIngressFromHost
            self.auditEverything = auditEverything
        }
    }

    /// The origin named by the implicit host allow entry.
    public static let hostIngressOrigin = "implicit: traffic from the node to its pods"

    public let options: Options
    public internal(set) var inputs = PolicyInputs()
    /// Compiled policies of the local endpoints that have an identity.
    public internal(set) var endpointPolicies: [NamespacedName: EndpointPolicy] = [:]
    public internal(set) var ipcache = IPCache()
    /// The pods (with identities) that claim each address; the first by name owns it.
    var addressClaims: [IPAddress: Set<NamespacedName>] = [:]

    var identities: IdentityTable
    var sources = PeerSourceTable()
    var rules: [Int: CompiledRule] = [:]
    var rulesOfPolicy: [ObjectReference: [Int]] = [:]
    var cidrsOfPolicy: [ObjectReference: [IPPrefix]] = [:]
    /// Policies whose mode is audit.
    var auditPolicies: Set<ObjectReference> = []
    var nextRuleID = 0
    /// Rules (subject side) that select each identity.
    var subjectIndex: [SecurityIdentity: Set<Int>] = [:]
    var localByIdentity: [SecurityIdentity: Set<NamespacedName>] = [:]
    /// Egress rules with named ports, whose entries depend on remote pods' ports.
    var namedPortEgressRules: Set<Int> = []
    /// Each rule's peers as one set (the union of its peer sources' members).
    var ruleMembers: [Int: PeerMembers] = [:]
    /// The source slots of each rule's subject and peers.
    var ruleSlots: [Int: RuleSlots] = [:]

    struct RuleSlots {
        var subject: Int
        var peers: [Int]
    }

    /// - Parameter allocator: pass `IdentityAllocator.restoring(from:)` a persisted allocator to
    ///   keep identity numbers across restarts.
    public init(options: Options = Options(), allocator: IdentityAllocator = IdentityAllocator()) {
        self.options = options
        self.identities = IdentityTable(allocator: allocator)
    }

    /// A compiler with `inputs` compiled (a full compile).
    public init(inputs: PolicyInputs, options: Options = Options(), allocator: IdentityAllocator = IdentityAllocator())
    {
        self.init(options: options, allocator: allocator)
        _ = update(to: inputs)
    }

    public var allocator: IdentityAllocator { identities.allocator }

    /// The identity of a pod (nil for host-network pods and unknown pods).
    public func identity(of pod: NamespacedName) -> SecurityIdentity? { identities.identityOfPod[pod] }

    /// Every pod identity with its labels.
    public var podIdentities: [SecurityIdentity: Labels] { identities.labels }

    // MARK: Updates (the algorithm is in PolicyCompiler+Apply.swift)

    /// Moves to `newInputs`, recompiling only what changed.
    public mutating func update(to newInputs: PolicyInputs) -> PolicyUpdate {
        apply(PolicyInputChanges(from: inputs, to: newInputs), newInputs: newInputs)
    }

    /// Adds or replaces one pod (e.g. new labels).
    public mutating func upsert(pod: Pod) -> PolicyUpdate {
        var next = inputs
        next.pods[pod.namespacedName] = pod
        var changes = PolicyInputChanges()
        if inputs.pods[pod.namespacedName] != pod { changes.pods = [pod.namespacedName] }
        return apply(changes, newInputs: next)
    }

    public mutating func removePod(_ key: NamespacedName) -> PolicyUpdate {
        var next = inputs
        next.pods[key] = nil
        next.localEndpoints.remove(key)
        var changes = PolicyInputChanges()
        changes.pods = [key]
        changes.localEndpoints = inputs.localEndpoints.contains(key) ? [key] : []
        return apply(changes, newInputs: next)
    }

    public mutating func upsert(namespace: Namespace) -> PolicyUpdate {
        var next = inputs
        next.namespaces[namespace.name] = namespace
        var changes = PolicyInputChanges()
        if inputs.namespaces[namespace.name] != namespace { changes.namespaces = [namespace.name] }
        return apply(changes, newInputs: next)
    }

    public mutating func upsert(policy: PolicyObject) -> PolicyUpdate {
        var next = inputs
        next.policies[policy.reference] = policy
        var changes = PolicyInputChanges()
        if inputs.policies[policy.reference] != policy { changes.policies = [policy.reference] }
        return apply(changes, newInputs: next)
    }

    public mutating func removePolicy(_ reference: ObjectReference) -> PolicyUpdate {
        var next = inputs
        next.policies[reference] = nil
        var changes = PolicyInputChanges()
        changes.policies = [reference]
        return apply(changes, newInputs: next)
    }

    public mutating func setLocalEndpoints(_ endpoints: Set<NamespacedName>) -> PolicyUpdate {
        var next = inputs
        next.localEndpoints = endpoints
        var changes = PolicyInputChanges()
        changes.localEndpoints = inputs.localEndpoints.symmetricDifference(endpoints)
        return apply(changes, newInputs: next)
    }
}
