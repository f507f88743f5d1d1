import CHedgerowABI
import HedgerowBPF
import HedgerowCore
import Synchronization

/// What one service sync wrote.
public struct ServiceSyncReport: Sendable, Equatable {
    /// Inserted or replaced entries, over all maps.
    public var upserts = 0
    public var deletions = 0
    /// Frontends (slot 0) written or deleted.
    public var frontendsChanged = 0
    /// Backend map entries written or deleted.
    public var backendsChanged = 0

    public var writes: Int { upserts + deletions }
}

/// The maps a service sync writes (declared in bpf/include/service_maps.h).
struct ServiceMaps: Sendable {
    let services: BPFMap<hedgerow_service_key, hedgerow_service_value>
    let backends: BPFMap<UInt32, hedgerow_backend>
    let revNAT: BPFMap<UInt32, hedgerow_rev_nat>
    let affinityMatch: BPFMap<hedgerow_affinity_match_key, UInt32>
    let maglev: MaglevTableSync
}

/// Keeps the service, backend, rev-NAT and affinity-match maps equal to a `ServiceModel`, by
/// diff: `ServiceSyncPlan` lays out ids and slots and orders the writes so that no lookup sees a
/// slot without its backend, and each step goes to the kernel as one batch. `apply(model)`
/// compares every frontend (a full resync); `apply(change)` only those one model change touched.
///
/// A mirror of the maps (`ServiceSyncState`) makes the diff cheap; it is read from the (pinned)
/// maps at start, so a restarted agent's first apply writes only what differs. Applies are
/// serialised. When a write fails, the mirror is read back from the maps before the error is
/// thrown, so the next apply repairs whatever the failed one left half done.
public final class ServiceMapSync: Sendable {
    /// Backends on this node get `BackendEntryFlags.local`.
    public let nodeName: String?
    private let maps: ServiceMaps
    private let mirror: Mutex<ServiceSyncState>

    init(maps: ServiceMaps, nodeName: String?) throws {
        self.maps = maps
        self.nodeName = nodeName
        mirror = Mutex(ServiceSyncState(try Self.adopt(maps)))
    }

    /// Makes the maps implement exactly `model` (a full resync: costs a pass over every frontend).
    @discardableResult
    public func apply(_ model: ServiceModel) throws -> ServiceSyncReport {
        try sync { state in ServiceSyncPlan(state: state, model: model, nodeName: nodeName) }
    }

    /// Applies one change of the model (`ServiceModel.update` returns it for a Service or
    /// EndpointSlice event): costs what the change touches, whatever the number of services.
    @discardableResult
    public func apply(_ change: ServiceModelChange) throws -> ServiceSyncReport {
        try sync { state in ServiceSyncPlan(state: state, change: change, nodeName: nodeName) }
    }

    /// The writes `apply(model)` would make now (nothing is written).
    public func plan(for model: ServiceModel) -> ServiceSyncPlan {
        mirror.withLock { ServiceSyncPlan(state: $0, model: model, nodeName: nodeName) }
    }

    /// What the maps hold, as the sync knows it.
    public var image: ServiceMapImage { mirror.withLock { $0.image } }

    /// The Maglev table of a service id as backend ids (nil: none), read from the kernel.
    public func maglevTable(serviceID: UInt16) throws -> [BackendID]? { try maps.maglev.table(serviceID: serviceID) }

    private func sync(_ makePlan: (ServiceSyncState) -> ServiceSyncPlan) throws -> ServiceSyncReport {
        try mirror.withLock { state in
            let plan = makePlan(state)
            do {
                let report = try execute(plan)
                state.commit(plan)
                return report
            } catch {
                if let reread = try? Self.adopt(maps) { state = ServiceSyncState(reread) }
                throw error
            }
        }
    }

    // MARK: Writing

    private func execute(_ plan: ServiceSyncPlan) throws -> ServiceSyncReport {
        var report = ServiceSyncReport()
        var index = plan.writes.startIndex
        while index < plan.writes.endIndex {
            // A run of writes of one kind goes to one map in one batch.
            let kind = Self.kind(plan.writes[index])
            let end = plan.writes[index...].firstIndex { Self.kind($0) != kind } ?? plan.writes.endIndex
            try write(plan.writes[index..<end], report: &report)
            index = end
        }
        return report
    }

    private func write(_ run: ArraySlice<ServiceMapWrite>, report: inout ServiceSyncReport) throws {
        var services: [(key: hedgerow_service_key, value: hedgerow_service_value)] = []
        var serviceDeletions: [hedgerow_service_key] = []
        var backends: [(key: UInt32, value: hedgerow_backend)] = []
        var backendDeletions: [UInt32] = []
        var revNAT: [(key: UInt32, value: hedgerow_rev_nat)] = []
        var revNATDeletions: [UInt32] = []
        var matches: [(key: hedgerow_affinity_match_key, value: UInt32)] = []
        var matchDeletions: [hedgerow_affinity_match_key] = []
        for write in run {
            switch write {
            case .upsertBackend(let id, let entry): backends.append((id, ServiceMapCodec.backendValue(entry)))
            case .upsertRevNAT(let id, let frontend): revNAT.append((UInt32(id), ServiceMapCodec.revNATValue(frontend)))
            case .insertAffinityMatch(let match): matches.append((ServiceMapCodec.affinityMatchKey(match), 0))
            case .upsertSlot(let frontend, let slot, let backend):
                services.append((ServiceMapCodec.serviceKey(frontend, slot: slot), ServiceMapCodec.slotValue(backend)))
            case .upsertFrontend(let frontend, let header, let count):
                services.append((ServiceMapCodec.serviceKey(frontend, slot: 0), ServiceMapCodec.frontendValue(header, backendCount: count)))
                report.frontendsChanged += 1
            case .deleteFrontend(let frontend):
                serviceDeletions.append(ServiceMapCodec.serviceKey(frontend, slot: 0))
                report.frontendsChanged += 1
            case .deleteSlot(let frontend, let slot): serviceDeletions.append(ServiceMapCodec.serviceKey(frontend, slot: slot))
            case .deleteAffinityMatch(let match): matchDeletions.append(ServiceMapCodec.affinityMatchKey(match))
            case .deleteRevNAT(let id): revNATDeletions.append(UInt32(id))
            case .deleteBackend(let id): backendDeletions.append(id)
            // Each table is its own map: written one by one, in place in the run's order.
            case .replaceMaglevTable(let id, let backends):
                try maps.maglev.replace(serviceID: id, backends: backends)
                report.upserts += 1
            case .deleteMaglevTable(let id):
                try maps.maglev.delete(serviceID: id)
                report.deletions += 1
            }
        }
        report.backendsChanged += backends.count + backendDeletions.count
        report.upserts += services.count + backends.count + revNAT.count + matches.count
        report.deletions += serviceDeletions.count + backendDeletions.count + revNATDeletions.count + matchDeletions.count
        if !backends.isEmpty { try maps.backends.updateBatch(backends) }
        if !revNAT.isEmpty { try maps.revNAT.updateBatch(revNAT) }
        if !matches.isEmpty { try maps.affinityMatch.updateBatch(matches) }
        if !services.isEmpty { try maps.services.updateBatch(services) }
        if !serviceDeletions.isEmpty { try maps.services.deleteBatch(serviceDeletions) }
        if !matchDeletions.isEmpty { try maps.affinityMatch.deleteBatch(matchDeletions) }
        if !revNATDeletions.isEmpty { try maps.revNAT.deleteBatch(revNATDeletions) }
        if !backendDeletions.isEmpty { try maps.backends.deleteBatch(backendDeletions) }
    }

    /// Writes of one kind share a batch; the plan's order between kinds is kept.
    private static func kind(_ write: ServiceMapWrite) -> Int {
        switch write {
        case .upsertBackend: 0
        case .upsertRevNAT: 1
        case .insertAffinityMatch: 2
        case .upsertSlot: 3
        case .upsertFrontend: 4
        case .deleteFrontend: 5
        case .deleteSlot: 6
        case .deleteAffinityMatch: 7
        case .deleteRevNAT: 8
        case .deleteBackend: 9
        case .replaceMaglevTable: 10
        case .deleteMaglevTable: 11
        }
    }

    // MARK: Adopting

    /// Reads the image from the maps, deletes service entries that belong to no whole frontend,
    /// and makes the rev-NAT and affinity-match maps agree with the frontends.
    private static func adopt(_ maps: ServiceMaps) throws -> ServiceMapImage {
        var (image, strays) = ServiceMapCodec.image(services: try maps.services.entries(), backends: try maps.backends.entries())
        for key in strays { try maps.services.delete(key) }
        // Backends no frontend names (left by an interrupted sync) would never be deleted later.
        let named = Set(image.frontends.values.flatMap(\.backends))
        for id in image.backends.keys where !named.contains(id) {
            try maps.backends.delete(id)
            image.backends[id] = nil
        }

        let revNAT = image.revNAT
        for (id, _) in try maps.revNAT.entries() where revNAT[UInt16(truncatingIfNeeded: id)] == nil || id > UInt16.max {
            try maps.revNAT.delete(id)
        }
        for (id, frontend) in revNAT { try maps.revNAT.update(UInt32(id), ServiceMapCodec.revNATValue(frontend)) }

        let matches = Set(image.affinityMatches.map(ServiceMapCodec.affinityMatchKey).map(MatchKey.init))
        for key in try maps.affinityMatch.keys() where !matches.contains(MatchKey(key)) { try maps.affinityMatch.delete(key) }
        for key in matches { try maps.affinityMatch.update(key.abi, 0) }

        // Tables are rebuilt rather than read back: cheap next to their number, and right even
        // after an interrupted sync. Tables of ids no external frontend has are left: the
        // node-level LB only reads the table of an external frontend it found, and a new one
        // replaces the table of its id first.
        for entry in image.frontends.values where ServiceSyncPlan.hasMaglevTable(entry) {
            let backends = entry.backends.map { MaglevBackend(name: image.backends[$0]!.key.address.description, id: $0) }
            try maps.maglev.replace(serviceID: entry.header.serviceID, backends: backends)
        }
        return image
    }

    /// A hashable affinity-match key.
    private struct MatchKey: Hashable {
        let backend: UInt32
        let service: UInt16
        init(_ key: hedgerow_affinity_match_key) {
            backend = key.backend_id
            service = key.service_id
        }
        var abi: hedgerow_affinity_match_key { hedgerow_affinity_match_key(backend_id: backend, service_id: service, _pad: 0) }
    }
}
