import HedgerowCore

/// What the service maps hold (`image`) plus the indexes a sync needs to cost what changed rather
/// than what exists: backend ids by identity, and how many slots name each backend.
public struct ServiceSyncState: Hashable, Sendable {
    public private(set) var image: ServiceMapImage
    private(set) var backendIDs: [BackendKey: BackendID]
    /// Slots (over all frontends) naming each backend; a backend at 0 is deleted.
    private(set) var references: [BackendID: Int]

    public init(_ image: ServiceMapImage = ServiceMapImage()) {
        self.image = image
        backendIDs = image.backendIDs
        references = [:]
        for entry in image.frontends.values {
            for backend in entry.backends { references[backend, default: 0] += 1 }
        }
    }

    /// Records that the plan's writes were made.
    public mutating func commit(_ plan: ServiceSyncPlan) {
        for (key, entry) in plan.frontendUpdates {
            for backend in image.frontends[key]?.backends ?? [] { references[backend, default: 0] -= 1 }
            image.frontends[key] = entry
            for backend in entry?.backends ?? [] { references[backend, default: 0] += 1 }
        }
        for (id, entry) in plan.backendUpdates {
            if let old = image.backends[id], backendIDs[old.key] == id { backendIDs[old.key] = nil }
            image.backends[id] = entry
            if let entry { backendIDs[entry.key] = id }
            if entry == nil { references[id] = nil }
        }
        image.nextBackendID = plan.nextBackendID
    }

    func references(to backend: BackendID) -> Int { references[backend] ?? 0 }
}
