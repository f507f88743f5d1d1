import Foundation
import HedgerowCore
import HedgerowDatapath
import Logging
import Synchronization

/// Keeps the datapath's policy in step with the cluster state, the policies applied through the
/// API and the endpoints of this node.
///
/// All methods are synchronous and serialized by one lock: a change is compiled and written to
/// the maps before the next one starts, so "returned" means "enforced" (the revision wait of
/// `hpolicy apply` is the call itself), and nothing interleaves between the compiler's view and
/// the maps'. Within one change the order is: ipcache, then each endpoint's entries (the policy
/// map sync keeps every packet on the old or the new policy), then endpoint identities.
final class PolicyEngine: Sendable {
    struct LocalEndpoint: Sendable, Equatable {
        var id: UInt32
        var interfaceIndex: Int32
        var addresses: [String]
        var identity: SecurityIdentity?
    }

    struct SyncOutcome: Sendable {
        var revision: UInt64
        var affectedEndpoints: Int
        /// "x/a (endpoint 3): reason" for endpoints whose maps could not be written.
        var lagging: [String]
    }

    private struct State {
        var compiler: PolicyCompiler
        var manifests = ClusterState()
        var applied: [ObjectReference: AppliedPolicy] = [:]
        var appliedObjects: [ObjectReference: PolicyObject] = [:]
        var local: [NamespacedName: LocalEndpoint] = [:]
        /// Per endpoint id, the policies that put an audited direction in default deny in the
        /// audit view: what an AUDIT flow without a rule's cookie names.
        var auditIsolation: [UInt32: [TrafficDirection: [ObjectReference]]] = [:]
        var revision: UInt64 = 0
        /// The node's own addresses: `host` in the datapath's ipcache.
        var hostAddresses: Set<IPAddress> = []
        /// Endpoints whose last sync failed: they keep their previous policy and every later
        /// sync retries them with the current one (until it fits, or they go away).
        var lagging: Set<NamespacedName> = []
    }

    private let state: Mutex<State>
    /// The flows a dry run's impact preview reads; set once the flow pipeline exists.
    private let observed = Mutex<ObservedFlows?>(nil)
    private let datapath: EndpointDatapath
    private let appliedStore: AppliedPolicyStore
    private let identityFile: String
    private let nodeAddresses: NodeAddresses?
    /// Where cluster policies come from ("manifests" or "kubernetes"), as `hpolicy get` shows it.
    private let clusterSource: String
    let metrics: AgentMetrics
    private let logger: Logger

    init(
        datapath: EndpointDatapath, stateDirectory: String, clusterSource: String = "manifests",
        compilerOptions: PolicyCompiler.Options = PolicyCompiler.Options(), metrics: AgentMetrics, logger: Logger
    ) throws {
        self.datapath = datapath
        self.clusterSource = clusterSource
        self.metrics = metrics
        self.logger = logger
        appliedStore = AppliedPolicyStore(stateDirectory: stateDirectory)
        identityFile = (stateDirectory as NSString).appendingPathComponent("identities.json")
        do {
            nodeAddresses = try NodeAddresses()
        } catch {
            nodeAddresses = nil
            logger.error("cannot read the node's addresses, they will look like world to policy: \(error)")
        }
        // Identity numbers survive restarts: flows, conntrack and policy entries keep meaning.
        let allocator = FileManager.default.contents(atPath: identityFile)
            .flatMap { try? JSONDecoder().decode(IdentityAllocator.self, from: $0) }
            .map(IdentityAllocator.restoring(from:)) ?? IdentityAllocator()
        var initial = State(compiler: PolicyCompiler(options: compilerOptions, allocator: allocator))
        let stored = try appliedStore.load()
        let reparsed = try PolicyDocuments.parse(stored.map { (name: "\($0.file) (applied)", contents: $0.json) })
        for (object, _) in reparsed.objects {
            guard let record = stored.first(where: { $0.reference == object.reference }) else { continue }
            initial.applied[object.reference] = record
            initial.appliedObjects[object.reference] = object
        }
        state = Mutex(initial)
    }

    // MARK: Inputs

    @discardableResult
    func setCluster(_ manifests: ClusterState) -> SyncOutcome {
        state.withLock { state in
            state.manifests = manifests
            return sync(&state)
        }
    }

    /// Registers a local endpoint and writes its policy; returns the identity to install it with.
    func endpointAdded(_ pod: NamespacedName, _ endpoint: LocalEndpoint) -> SecurityIdentity? {
        state.withLock { state in
            state.local[pod] = endpoint
            _ = sync(&state)
            return state.local[pod]?.identity
        }
    }

    func endpointRemoved(_ pod: NamespacedName) {
        state.withLock { state in
            guard let endpoint = state.local.removeValue(forKey: pod) else { return }
            try? datapath.policy.remove(endpointID: endpoint.id)
            _ = sync(&state)
        }
    }

    func identity(of pod: NamespacedName) -> SecurityIdentity? {
        state.withLock { $0.local[pod]?.identity }
    }

    var revision: UInt64 { state.withLock { $0.revision } }

    // MARK: hpolicy

    struct Change: Sendable {
        enum Action: Sendable { case unchanged, created, configured, deleted, notFound }
        var reference: ObjectReference
        var action: Action
    }

    func apply(files: [(name: String, contents: String)], dryRun: Bool) throws -> (changes: [Change], outcome: SyncOutcome?) {
        let parsed = try PolicyDocuments.parse(files)
        return try state.withLock { state in
            let changes = try Self.changes(parsed, state)
            guard !dryRun else { return (changes, nil) }
            var next = state.applied
            for (object, stored) in parsed.objects {
                next[object.reference] = stored
                state.appliedObjects[object.reference] = object
            }
            try appliedStore.save(next.values.sorted { "\($0.reference)" < "\($1.reference)" })
            state.applied = next
            return (changes, sync(&state))
        }
    }

    /// Where dry runs read observed flows (the agent wires this after creating the flow store).
    var observedFlows: ObservedFlows? {
        get { observed.withLock { $0 } }
        set { observed.withLock { $0 = newValue } }
    }

    /// What applying `files` would change, and the policy before and after, as compilers; changes
    /// nothing. The candidate is compiled by the same merge as a real apply, so what it decides
    /// is what the datapath would enforce.
    func preview(files: [(name: String, contents: String)]) throws -> PolicyPreview {
        let parsed = try PolicyDocuments.parse(files)
        return try state.withLock { state in
            let changes = try Self.changes(parsed, state)
            refreshHostAddresses(&state)
            var appliedObjects = state.appliedObjects
            for (object, _) in parsed.objects { appliedObjects[object.reference] = object }
            var candidate = state.compiler
            _ = candidate.update(to: Self.inputs(state, appliedObjects: appliedObjects))
            let snapshot = state
            return PolicyPreview(
                changes: changes, current: state.compiler, candidate: candidate,
                resolve: { Self.resolve($0, snapshot) })
        }
    }

    private static func changes(_ parsed: PolicyDocuments.Parsed, _ state: State) throws -> [Change] {
        try parsed.objects.map { item in
            let (object, stored) = item
            let reference = object.reference
            if state.manifests.policies[reference] != nil {
                throw PolicyInputError(problems: [
                    "\(stored.file) (\(reference)): defined in the manifests directory; change it there"
                ])
            }
            let action: Change.Action =
                state.appliedObjects[reference] == nil ? .created
                : state.appliedObjects[reference] == object ? .unchanged : .configured
            return Change(reference: reference, action: action)
        }
    }

    /// The compiler's inputs: the cluster's policies and those applied through the API.
    private static func inputs(_ state: State, appliedObjects: [ObjectReference: PolicyObject]) -> PolicyInputs {
        let merged = ClusterState(
            namespaces: Array(state.manifests.namespaces.values), pods: Array(state.manifests.pods.values),
            policies: Array(state.manifests.policies.values) + Array(appliedObjects.values))
        return PolicyInputs(state: merged, localEndpoints: Set(state.local.keys))
    }

    func delete(_ references: [ObjectReference]) throws -> (changes: [Change], outcome: SyncOutcome) {
        try state.withLock { state in
            var changes: [Change] = []
            var next = state.applied
            for reference in references {
                if next.removeValue(forKey: reference) != nil {
                    changes.append(Change(reference: reference, action: .deleted))
                } else if state.manifests.policies[reference] != nil {
                    throw PolicyInputError(problems: ["\(reference): defined in the manifests directory; remove it there"])
                } else {
                    changes.append(Change(reference: reference, action: .notFound))
                }
            }
            try appliedStore.save(next.values.sorted { "\($0.reference)" < "\($1.reference)" })
            state.applied = next
            for change in changes where change.action == .deleted { state.appliedObjects[change.reference] = nil }
            return (changes, sync(&state))
        }
    }

    /// Identities of pods in use: their labels and the pods holding each.
    func podIdentities() -> [(identity: SecurityIdentity, labels: Labels, pods: [NamespacedName])] {
        state.withLock { state in
            var holders: [SecurityIdentity: [NamespacedName]] = [:]
            for pod in state.compiler.inputs.pods.keys {
                if let identity = state.compiler.identity(of: pod) { holders[identity, default: []].append(pod) }
            }
            return state.compiler.podIdentities.map { ($0.key, $0.value, (holders[$0.key] ?? []).sorted()) }
        }
    }

    /// Every policy in force: (reference, source, JSON when applied through the API, mode).
    func policies(namespace: String?) -> [(reference: ObjectReference, source: String, json: String, mode: PolicyMode)] {
        state.withLock { state in
            let auditAll = state.compiler.options.auditEverything
            func mode(_ object: PolicyObject?) -> PolicyMode { auditAll ? .audit : object?.mode ?? .enforce }
            let fromManifests = state.manifests.policies.map {
                (reference: $0.key, source: clusterSource, json: "", mode: mode($0.value))
            }
            let fromAPI = state.applied.values.map {
                (reference: $0.reference, source: "api", json: $0.json, mode: mode(state.appliedObjects[$0.reference]))
            }
            return (fromManifests + fromAPI)
                .filter { namespace == nil || $0.reference.namespace == nil || $0.reference.namespace == namespace }
                .sorted { "\($0.reference)" < "\($1.reference)" }
        }
    }

    /// Traces between pods or addresses. An address of a pod is that pod (its own policy
    /// applies), an address of the node is host; any other address is what the ipcache says.
    func trace(_ query: PolicyTraceQuery) throws -> PolicyTrace {
        try state.withLock { state in
            refreshHostAddresses(&state)
            var resolved = query
            resolved.source = Self.resolve(query.source, state)
            resolved.destination = Self.resolve(query.destination, state)
            return try state.compiler.trace(resolved)
        }
    }

    private static func resolve(_ peer: PolicyTraceQuery.Peer, _ state: State) -> PolicyTraceQuery.Peer {
        guard case .address(let address) = peer else { return peer }
        if state.hostAddresses.contains(address) { return .node(address) }
        let owners = state.compiler.inputs.pods.values.filter { !$0.hostNetwork && $0.ips.contains(address) }
        if let owner = owners.map(\.namespacedName).min() { return .pod(owner) }
        return peer
    }

    /// Re-reads the node's addresses (a sync does this too); call when they may have changed.
    func nodeAddressesMayHaveChanged() {
        state.withLock { state in
            let before = state.hostAddresses
            refreshHostAddresses(&state)
            guard state.hostAddresses != before else { return }
            _ = sync(&state)
        }
    }

    private func refreshHostAddresses(_ state: inout State) {
        guard let nodeAddresses else { return }
        do {
            state.hostAddresses = try nodeAddresses.read()
        } catch {
            logger.error("cannot read the node's addresses, keeping the previous ones: \(error)")
        }
    }

    // MARK: Compile and write

    private func sync(_ state: inout State) -> SyncOutcome {
        let started = ContinuousClock.now
        defer { metrics.recordPolicySync(ContinuousClock.now - started) }
        let update = state.compiler.update(to: Self.inputs(state, appliedObjects: state.appliedObjects))
        refreshHostAddresses(&state)
        var lagging: [String] = []
        do {
            try datapath.ipcache.apply(NodeAddresses.overlay(state.compiler.ipcache.entries, host: state.hostAddresses))
        } catch {
            lagging.append("ipcache: \(error)")
        }
        // The changed endpoints, and those still behind from an earlier sync (with today's policy).
        var toWrite: [NamespacedName: EndpointPolicy] = [:]
        for change in update.endpoints where change.needsDatapathUpdate {
            toWrite[change.endpoint] = change.policy ?? EndpointPolicy()
        }
        for pod in state.lagging where toWrite[pod] == nil {
            toWrite[pod] = state.compiler.endpointPolicies[pod] ?? EndpointPolicy()
        }
        var affected = 0
        var stillLagging: Set<NamespacedName> = []
        for (pod, policy) in toWrite.sorted(by: { $0.key < $1.key }) {
            guard let endpoint = state.local[pod] else { continue }
            affected += 1
            do {
                try datapath.policy.apply(policy, endpointID: endpoint.id, interfaceIndex: endpoint.interfaceIndex)
            } catch {
                stillLagging.insert(pod)
                lagging.append("\(pod) (endpoint \(endpoint.id)): \(error)")
            }
        }
        state.lagging = stillLagging
        Self.refreshAuditIsolation(update, &state)
        let installed = Set((try? datapath.installedInterfaceIndexes()) ?? [])
        for (pod, endpoint) in state.local {
            let identity = state.compiler.identity(of: pod)
            guard identity != endpoint.identity else { continue }
            state.local[pod]?.identity = identity
            // An endpoint without its entry yet is installed by the endpoint manager with this identity.
            guard installed.contains(endpoint.interfaceIndex) else { continue }
            do {
                try datapath.install(DatapathEndpoint(
                    id: endpoint.id, interfaceIndex: endpoint.interfaceIndex, addresses: endpoint.addresses,
                    identity: identity?.rawValue ?? 0))
            } catch {
                lagging.append("\(pod) (endpoint \(endpoint.id)): identity \(identity.map { "\($0)" } ?? "none"): \(error)")
            }
        }
        if !update.isEmpty {
            state.revision += 1
            persistIdentities(state.compiler.allocator)
            metrics.setPolicyRevision(state.revision)
            metrics.setIdentities(state.compiler.podIdentities.count)
            logger.info("policy revision \(state.revision): \(affected) endpoint(s) updated, \(update.recompiledEndpoints) recompiled")
        }
        for problem in lagging { logger.error("policy revision \(state.revision) not enforced: \(problem)") }
        return SyncOutcome(revision: state.revision, affectedEndpoints: affected, lagging: lagging)
    }

    private static func refreshAuditIsolation(_ update: PolicyUpdate, _ state: inout State) {
        for change in update.endpoints {
            guard let id = state.local[change.endpoint]?.id else { continue }
            let auditsDefaultDeny = TrafficDirection.allCases.contains { change.policy?.audit($0) == .defaultDeny }
            state.auditIsolation[id] =
                auditsDefaultDeny ? state.compiler.isolatingPolicies(of: change.endpoint, view: .audit) : nil
        }
        let live = Set(state.local.values.map(\.id))
        state.auditIsolation = state.auditIsolation.filter { live.contains($0.key) }
    }

    /// The audit-mode default deny of an endpoint's direction: the policies that would drop what
    /// no rule allows there (empty when the direction is not audited with default deny).
    func auditIsolation(endpointID: UInt32, direction: TrafficDirection) -> [ObjectReference] {
        state.withLock { $0.auditIsolation[endpointID]?[direction] ?? [] }
    }

    private func persistIdentities(_ allocator: IdentityAllocator) {
        do {
            try AtomicWrite.write(try JSONEncoder().encode(allocator), to: identityFile)
        } catch {
            logger.error("cannot persist identities to \(identityFile): \(error)")
        }
    }
}
