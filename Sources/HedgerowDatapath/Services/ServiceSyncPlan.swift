import HedgerowCore

/// One write to the service maps.
public enum ServiceMapWrite: Hashable, Sendable {
    case upsertBackend(BackendID, BackendEntry)
    case upsertRevNAT(serviceID: UInt16, FrontendKey)
    case insertAffinityMatch(AffinityMatch)
    /// Slot n >= 1 of a frontend.
    case upsertSlot(FrontendKey, slot: UInt16, BackendID)
    /// Slot 0: header and backend count.
    case upsertFrontend(FrontendKey, FrontendHeader, backendCount: UInt16)
    /// A new Maglev table for an external frontend, built from its backends.
    case replaceMaglevTable(serviceID: UInt16, [MaglevBackend])
    case deleteMaglevTable(serviceID: UInt16)
    case deleteFrontend(FrontendKey)
    case deleteSlot(FrontendKey, slot: UInt16)
    case deleteAffinityMatch(AffinityMatch)
    case deleteRevNAT(serviceID: UInt16)
    case deleteBackend(BackendID)
}

/// A backend as a Maglev table names it: by `BackendAddress.description` (what every node
/// hashes), with the id the table's entries hold.
public struct MaglevBackend: Hashable, Sendable {
    public var name: String
    public var id: BackendID
}

/// The writes that bring some frontends of the service maps to their new state, in an order
/// under which a program never follows a slot to a missing backend nor a count to a missing slot:
///
/// 1. backends that are new or changed;
/// 2. rev-NAT entries (replies of the first translated connection already find their VIP);
/// 3. affinity matches that are new (a pin is honoured once its backend is the service's);
/// 4. backend slots (n >= 1) that are new or point elsewhere: beyond the old count they are not
///    read yet, below it a reader gets the old or the new backend, both present;
/// 5. Maglev tables of external frontends whose backends changed, each replaced whole;
/// 6. frontends (slot 0) that are new or changed: the new count exposes only written slots;
/// 7. frontends that are gone (slot 0 first, so nobody starts reading their slots);
/// 8. slots beyond the new counts and slots of frontends that are gone;
/// 9. Maglev tables, 10. affinity matches, 11. rev-NAT entries of frontends that are gone or
///    no longer need them, and 12. backends that no slot names any more.
///
/// Backends are shared by frontends and counted: one is deleted only when no slot of any
/// frontend names it, so removing a backend from one service never touches another. Each
/// step's writes go to one map and can be batched. The cost is that of the frontends given, not
/// of all frontends: an EndpointSlice event touches one service's.
public struct ServiceSyncPlan: Hashable, Sendable {
    public private(set) var writes: [ServiceMapWrite] = []
    /// New entries of the frontends touched (nil: deleted), for `ServiceSyncState.commit`.
    public private(set) var frontendUpdates: [FrontendKey: FrontendEntry?] = [:]
    /// Backends written (nil: deleted).
    public private(set) var backendUpdates: [BackendID: BackendEntry?] = [:]
    public private(set) var nextBackendID: BackendID

    public var isEmpty: Bool { writes.isEmpty }

    /// Brings the maps from `state` to exactly `model`.
    public init(state: ServiceSyncState, model: ServiceModel, nodeName: String?) {
        var updates: [FrontendKey: ServiceFrontend?] = model.frontends.mapValues { Optional($0) }
        for key in state.image.frontends.keys where model.frontends[key] == nil { updates[key] = .some(nil) }
        self.init(state: state, updates: updates, nodeName: nodeName)
    }

    /// Brings the frontends of `change` to their new state, leaving all others alone.
    public init(state: ServiceSyncState, change: ServiceModelChange, nodeName: String?) {
        var updates: [FrontendKey: ServiceFrontend?] = [:]
        for frontend in change.removed { updates[frontend.key] = .some(nil) }
        for frontend in change.added { updates[frontend.key] = frontend }
        for modification in change.changed {
            if modification.old.key != modification.new.key { updates[modification.old.key] = .some(nil) }
            updates[modification.new.key] = modification.new
        }
        self.init(state: state, updates: updates, nodeName: nodeName)
    }

    /// - Parameter updates: the new state of each frontend touched (nil: it is gone).
    public init(state: ServiceSyncState, updates: [FrontendKey: ServiceFrontend?], nodeName: String?) {
        let image = state.image
        nextBackendID = image.nextBackendID
        var newIDs: [BackendKey: BackendID] = [:]
        var desiredBackends: [BackendID: BackendEntry] = [:]
        var referenceDelta: [BackendID: Int] = [:]

        // Lay out the touched frontends, in key order so that ids are deterministic.
        var desired: [(key: FrontendKey, old: FrontendEntry?, new: FrontendEntry?)] = []
        for key in updates.keys.sorted() {
            let old = image.frontends[key]
            guard let frontend = updates[key]! else {
                if old != nil { desired.append((key, old, nil)) }
                continue
            }
            var wanted: [BackendID] = []
            for backend in frontend.backends {
                let entry = ServiceMapLayout.backendEntry(backend, protocol: key.protocol, nodeName: nodeName)
                let id: BackendID
                if let known = state.backendIDs[entry.key] ?? newIDs[entry.key] {
                    id = known
                } else {
                    id = nextBackendID
                    newIDs[entry.key] = id
                    repeat { nextBackendID = nextBackendID == .max ? 1 : nextBackendID + 1 } while image.backends[nextBackendID] != nil
                }
                if wanted.contains(id) { continue }  // listed twice: one slot is enough
                wanted.append(id)
                // A backend several touched frontends list: the first (by key) says its flags.
                if desiredBackends[id] == nil { desiredBackends[id] = entry }
            }
            let new = FrontendEntry(header: ServiceMapLayout.header(frontend),
                                    backends: ServiceMapLayout.arrange(wanted, previous: old?.backends ?? []))
            if new != old { desired.append((key, old, new)) }
        }
        for (_, old, new) in desired {
            for backend in old?.backends ?? [] { referenceDelta[backend, default: 0] -= 1 }
            for backend in new?.backends ?? [] { referenceDelta[backend, default: 0] += 1 }
        }
        frontendUpdates = Dictionary(uniqueKeysWithValues: desired.map { ($0.key, $0.new) })

        // 1. Backends: new, or listed with other flags.
        for (id, entry) in desiredBackends.sorted(by: { $0.key < $1.key }) where image.backends[id] != entry {
            writes.append(.upsertBackend(id, entry))
            backendUpdates[id] = entry
        }
        // 2. Rev-NAT of frontends that are new or changed id.
        let claimedIDs = Set(desired.compactMap { $0.new?.header.serviceID })
        for (key, old, new) in desired {
            if let new, old?.header.serviceID != new.header.serviceID { writes.append(.upsertRevNAT(serviceID: new.header.serviceID, key)) }
        }
        // 3. Affinity matches.
        for (_, old, new) in desired {
            for match in Self.matches(new).subtracting(Self.matches(old)).sorted() { writes.append(.insertAffinityMatch(match)) }
        }
        // 4. Slots.
        for (key, old, new) in desired {
            guard let new else { continue }
            let previous = old?.backends ?? []
            for (index, backend) in new.backends.enumerated() where index >= previous.count || previous[index] != backend {
                writes.append(.upsertSlot(key, slot: UInt16(index + 1), backend))
            }
        }
        // 5. Maglev tables: external frontends with backends, whenever that set changed.
        var tableIDs: Set<UInt16> = []
        for (_, old, new) in desired {
            guard let new, Self.hasMaglevTable(new) else { continue }
            tableIDs.insert(new.header.serviceID)
            if let old, Self.hasMaglevTable(old), old.header.serviceID == new.header.serviceID,
                Set(old.backends) == Set(new.backends) { continue }
            let backends = new.backends.map { id in
                MaglevBackend(name: (desiredBackends[id] ?? image.backends[id])!.key.address.description, id: id)
            }
            writes.append(.replaceMaglevTable(serviceID: new.header.serviceID, backends))
        }
        // 6. Frontends.
        for (key, old, new) in desired {
            guard let new, old?.header != new.header || old?.backends.count != new.backends.count else { continue }
            writes.append(.upsertFrontend(key, new.header, backendCount: UInt16(new.backends.count)))
        }
        // 7. Frontends gone.
        for (key, _, new) in desired where new == nil { writes.append(.deleteFrontend(key)) }
        // 8. Slots beyond the new count.
        for (key, old, new) in desired {
            guard let old else { continue }
            for slot in stride(from: (new?.backends.count ?? 0) + 1, through: old.backends.count, by: 1) {
                writes.append(.deleteSlot(key, slot: UInt16(slot)))
            }
        }
        // 9. Maglev tables no frontend needs any more (unless another took the id).
        for (_, old, _) in desired {
            guard let old, Self.hasMaglevTable(old), !tableIDs.contains(old.header.serviceID) else { continue }
            writes.append(.deleteMaglevTable(serviceID: old.header.serviceID))
        }
        // 10. Affinity matches (unless another frontend took the id with the same backend).
        let keptMatches = desired.reduce(into: Set<AffinityMatch>()) { $0.formUnion(Self.matches($1.new)) }
        for (_, old, _) in desired {
            for match in Self.matches(old).subtracting(keptMatches).sorted() { writes.append(.deleteAffinityMatch(match)) }
        }
        // 11. Rev-NAT of frontends gone or re-numbered (unless another frontend took the id).
        for (_, old, new) in desired {
            guard let old, old.header.serviceID != new?.header.serviceID, !claimedIDs.contains(old.header.serviceID) else { continue }
            writes.append(.deleteRevNAT(serviceID: old.header.serviceID))
        }
        // 12. Backends nothing names any more.
        for (id, delta) in referenceDelta.sorted(by: { $0.key < $1.key }) where delta < 0 && state.references(to: id) + delta == 0 {
            writes.append(.deleteBackend(id))
            backendUpdates[id] = .some(nil)
        }
    }

    /// External frontends with backends get a Maglev table (for the node-level LB).
    static func hasMaglevTable(_ entry: FrontendEntry) -> Bool {
        entry.header.flags.contains(.external) && !entry.backends.isEmpty
    }

    private static func matches(_ entry: FrontendEntry?) -> Set<AffinityMatch> {
        guard let entry, entry.header.flags.contains(.affinity) else { return [] }
        return Set(entry.backends.map { AffinityMatch(backend: $0, serviceID: entry.header.serviceID) })
    }
}
