import Foundation
import HedgerowCore
import HedgerowDatapath
import Logging

/// Owns the endpoints of this node: registration from the CNI plugin, the datapath attached to
/// each host-side interface, persistence, and adoption of what a previous agent left running.
///
/// Every change is all-or-nothing: when a step fails, the steps before it are undone and the
/// caller gets an error naming what failed; the datapath is never left half-updated.
actor EndpointManager {
    private let nodeName: String
    private let datapath: EndpointDatapath
    private let links: LinkDirectory
    private let store: EndpointStore
    let policy: PolicyEngine
    private let flowNames: FlowEnricher
    private let logger: Logger
    private var records: [String: EndpointRecord] = [:]  // by container id
    private var cluster = ClusterState()
    private(set) var adoptedCount = 0

    init(
        nodeName: String, datapath: EndpointDatapath, links: LinkDirectory, store: EndpointStore, policy: PolicyEngine,
        flowNames: FlowEnricher, logger: Logger
    ) {
        self.flowNames = flowNames
        self.nodeName = nodeName
        self.datapath = datapath
        self.links = links
        self.store = store
        self.policy = policy
        self.logger = logger
    }

    var count: Int { records.count }

    /// The endpoints gauge follows every change of `records`.
    private func recordsChanged() {
        flowNames.update(cluster: cluster, endpoints: Array(records.values))
        policy.metrics.setEndpoints(records.count)
    }

    func updateCluster(_ state: ClusterState) {
        cluster = state
        policy.setCluster(state)
        flowNames.update(cluster: state, endpoints: Array(records.values))
    }

    var clusterState: ClusterState { cluster }

    // MARK: Restart adoption

    /// Re-establishes the endpoints a previous agent registered. Interfaces that still exist keep
    /// their id, map entries and filters (re-attached only when the program differs); records
    /// whose interface is gone are dropped, and map entries nobody owns are removed.
    func restore() throws {
        let saved = try store.load()
        var kept: [EndpointRecord] = []
        for var record in saved {
            guard let index = links.index(named: record.interfaceName) else {
                logger.info("endpoint \(record.id) (\(record.podKey)): interface \(record.interfaceName) is gone, dropping it")
                try? datapath.remove(endpointID: record.id, interfaceIndex: record.interfaceIndex, interfaceExists: false)
                continue
            }
            record.interfaceIndex = index
            let outcome = try datapath.install(record.datapathEndpoint(identity: enterPolicy(record)))
            if outcome == .adopted { adoptedCount += 1 }
            logger.info("endpoint \(record.id) (\(record.podKey)) on \(record.interfaceName): \(outcome)")
            kept.append(record)
        }
        let owned = Set(kept.map(\.interfaceIndex))
        for index in try datapath.installedInterfaceIndexes() where !owned.contains(index) {
            logger.info("removing a stale endpoint map entry for ifindex \(index)")
            try datapath.removeEntry(interfaceIndex: index)
        }
        records = Dictionary(uniqueKeysWithValues: kept.map { ($0.containerID, $0) })
        recordsChanged()
        if kept != saved { try store.save(kept) }
    }

    // MARK: CNI-driven changes

    func register(_ request: EndpointRequest) throws -> EndpointRecord {
        try request.validate()
        if let existing = records[request.containerID] {
            guard existing.interfaceName == request.interfaceName else {
                throw EndpointError.conflict(
                    "container \(request.containerID) is already registered on \(existing.interfaceName), not \(request.interfaceName)")
            }
            return existing
        }
        guard cluster.pod(namespace: request.namespace, name: request.podName) != nil else {
            throw EndpointError.unknownPod("pod \(request.namespace)/\(request.podName) is not known to this agent (no such Pod in the cluster state)")
        }
        guard let index = links.index(named: request.interfaceName) else {
            throw EndpointError.noInterface("interface \(request.interfaceName) does not exist in the node's network namespace")
        }
        let record = EndpointRecord(
            id: try nextID(), containerID: request.containerID, namespace: request.namespace,
            podName: request.podName, interfaceName: request.interfaceName, interfaceIndex: index,
            containerInterface: request.containerInterface, netns: request.netns, ips: request.ips)
        do {
            // Policy entries first: the filters never run without the endpoint's policy.
            try datapath.install(record.datapathEndpoint(identity: enterPolicy(record)))
            try store.save(Array(records.values) + [record])
        } catch {
            try? datapath.remove(endpointID: record.id, interfaceIndex: index, interfaceExists: true)
            policy.endpointRemoved(record.pod)
            throw error
        }
        records[record.containerID] = record
        recordsChanged()
        logger.info("endpoint \(record.id) registered: \(record.podKey) on \(record.interfaceName) (\(record.ips.joined(separator: ",")))")
        return record
    }

    /// Returns whether the endpoint existed. Removing an unknown one succeeds (CNI DEL semantics).
    @discardableResult
    func unregister(containerID: String) throws -> Bool {
        guard let record = records[containerID] else { return false }
        let exists = links.index(named: record.interfaceName) == record.interfaceIndex
        try datapath.remove(endpointID: record.id, interfaceIndex: record.interfaceIndex, interfaceExists: exists)
        policy.endpointRemoved(record.pod)
        records[containerID] = nil
        recordsChanged()
        try store.save(Array(records.values))
        logger.info("endpoint \(record.id) removed: \(record.podKey)")
        return true
    }

    /// The interface vanished (pod deleted without CNI DEL, or the runtime crashed).
    func interfaceRemoved(index: Int32) {
        for record in records.values where record.interfaceIndex == index {
            logger.info("interface \(record.interfaceName) of endpoint \(record.id) disappeared")
            _ = try? unregister(containerID: record.containerID)
        }
    }

    /// Drops endpoints whose interface no longer exists (after lost link events).
    func reconcileInterfaces() {
        for record in records.values where links.index(named: record.interfaceName) != record.interfaceIndex {
            interfaceRemoved(index: record.interfaceIndex)
        }
    }

    func endpoint(containerID: String) -> EndpointRecord? { records[containerID] }

    func all() -> [EndpointRecord] { records.values.sorted { $0.id < $1.id } }

    func traffic(of record: EndpointRecord) -> EndpointTraffic {
        (try? datapath.traffic(endpointID: record.id)) ?? EndpointTraffic()
    }

    func labels(of record: EndpointRecord) -> [String: String] {
        cluster.pod(namespace: record.namespace, name: record.podName)?.labels.dictionary ?? [:]
    }

    private func nextID() throws -> UInt32 {
        let used = Set(records.values.map(\.id))
        guard let id = (1..<EndpointDatapath.maxEndpoints).first(where: { !used.contains($0) }) else {
            throw EndpointError.full("all \(EndpointDatapath.maxEndpoints - 1) endpoint ids are in use")
        }
        return id
    }
}

extension EndpointManager {
    /// Hands the endpoint to the policy engine, which writes its policy and names its identity.
    private func enterPolicy(_ record: EndpointRecord) -> SecurityIdentity? {
        policy.endpointAdded(
            record.pod,
            PolicyEngine.LocalEndpoint(id: record.id, interfaceIndex: record.interfaceIndex, addresses: record.ips))
    }

    func identity(of record: EndpointRecord) -> UInt32 { policy.identity(of: record.pod)?.rawValue ?? 0 }
}

extension EndpointRecord {
    var pod: NamespacedName { NamespacedName(namespace: namespace, name: podName) }

    func datapathEndpoint(identity: SecurityIdentity?) -> DatapathEndpoint {
        DatapathEndpoint(id: id, interfaceIndex: interfaceIndex, addresses: ips, identity: identity?.rawValue ?? 0)
    }
}
