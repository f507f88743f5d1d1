import Foundation
import HedgerowCore
import HedgerowDatapath
import Logging
import Synchronization

/// Keeps the service maps in step with the cluster's Services, EndpointSlices and Pods.
///
/// The first sync builds the whole model and writes it (adopting what a previous agent left in
/// the pinned maps); after that each cluster change recomputes only the services it touches
/// (a full build of 10,000 services costs ~45 ms, one service well under one) and writes only
/// the difference, in the order that never exposes a slot without its backend
/// (`ServiceSyncPlan`). Service ids persist in `<state-dir>/service-ids.json`, so a restarted
/// agent finds its own ids in the pinned maps and rewrites nothing.
final class ServiceEngine: Sendable {
    private struct State {
        var model = ServiceModel()
        var ids: ServiceIDAllocator
        var synced = false
        /// What `model` was made from.
        var cluster: ClusterState?
    }

    private let state: Mutex<State>
    private let datapath: ServiceDatapath
    private let nodeName: String
    private let idFile: String
    private let readiness: Readiness
    private let flowNames: FlowEnricher
    private let metrics: AgentMetrics
    private let logger: Logger

    init(
        datapath: ServiceDatapath, nodeName: String, stateDirectory: String, readiness: Readiness,
        flowNames: FlowEnricher, metrics: AgentMetrics, logger: Logger
    ) {
        self.flowNames = flowNames
        self.datapath = datapath
        self.nodeName = nodeName
        self.readiness = readiness
        self.metrics = metrics
        self.logger = logger
        idFile = (stateDirectory as NSString).appendingPathComponent("service-ids.json")
        let saved = FileManager.default.contents(atPath: idFile).flatMap { try? JSONDecoder().decode(ServiceIDAllocator.self, from: $0) }
        state = Mutex(State(ids: saved ?? ServiceIDAllocator()))
    }

    /// The model in force, for `hagent services`.
    var model: ServiceModel { state.withLock { $0.model } }

    /// How many entries of the kernel's Maglev table of `serviceID` name each backend (by
    /// address); nil when the service has no table (not external, or no backends).
    func maglevEntries(serviceID: UInt16) -> [String: UInt32]? {
        guard let table = try? datapath.sync.maglevTable(serviceID: serviceID) else { return nil }
        let backends = datapath.sync.image.backends
        var entries: [String: UInt32] = [:]
        for id in table { entries[backends[id].map { "\($0.key.address)" } ?? "backend \(id)", default: 0] += 1 }
        return entries
    }

    func serviceName(id: UInt16) -> NamespacedName? {
        state.withLock { state in state.model.frontends.values.first { $0.id.rawValue == id }?.service }
    }

    /// Brings the maps to `cluster`: a full build and write until the first write succeeded
    /// (and after a failed one), then only the services the change touches.
    func update(cluster: ClusterState) {
        state.withLock { state in
            let started = ContinuousClock.now
            var ids = state.ids
            var next = state.model
            let change: ServiceModelChange
            if state.synced, let previous = state.cluster {
                let touched = ServiceModel.servicesAffected(by: cluster.diff(from: previous), before: previous, after: cluster)
                change = touched.isEmpty ? ServiceModelChange() : next.update(services: touched, in: cluster, nodeName: nodeName, ids: &ids)
            } else {
                next = ServiceModel.build(
                    services: cluster.sortedServices, endpointSlices: cluster.sortedEndpointSlices, pods: cluster.sortedPods,
                    nodeName: nodeName, ids: &ids)
                change = next.diff(from: state.model)
            }
            state.cluster = cluster
            defer { readiness.setWarnings(state.model.notes.map(\.description), source: "services") }
            guard !state.synced || !change.isEmpty else {
                state.model = next  // same frontends; its notes may differ
                return
            }
            do {
                let wasSynced = state.synced
                let report = wasSynced ? try datapath.sync.apply(change) : try datapath.sync.apply(next)
                state.model = next
                state.synced = true
                // Flows name services by id: only new, gone or renumbered frontends change that.
                if !wasSynced || !change.added.isEmpty || !change.removed.isEmpty || change.changed.contains(where: \.frontendChanged) {
                    flowNames.update(services: next)
                }
                if ids != state.ids {
                    state.ids = ids
                    persist(ids)
                }
                let took = ContinuousClock.now - started
                metrics.recordServiceSync(took)
                logger.info("services: \(next.frontends.count) frontends, \(report.writes) map writes in \(took)")
            } catch {
                // The maps hold the previous model or a state between it and the next that the
                // write order keeps consistent; the next change retries from a full apply.
                state.synced = false
                logger.error("services: the maps could not be updated, retrying on the next change: \(error)")
            }
        }
    }

    private func persist(_ ids: ServiceIDAllocator) {
        do {
            try AtomicWrite.write(try JSONEncoder().encode(ids), to: idFile)
        } catch {
            logger.error("cannot persist service ids to \(idFile): \(error)")
        }
    }
}
