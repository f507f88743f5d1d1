/// An object whose content changed between two states (same identity, different fields).
public struct Modification<Object: Hashable & Sendable>: Hashable, Sendable {
    public var old: Object
    public var new: Object

    public init(old: Object, new: Object) {
        self.old = old
        self.new = new
    }
}

/// What happened to one kind of object between two states, each list in a stable order.
public struct ChangeSet<Object: Hashable & Sendable>: Hashable, Sendable {
    public var added: [Object]
    public var removed: [Object]
    public var changed: [Modification<Object>]

    public init(added: [Object] = [], removed: [Object] = [], changed: [Modification<Object>] = []) {
        self.added = added
        self.removed = removed
        self.changed = changed
    }

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }

    /// Compares two keyed collections; results are sorted by key. Costs one pass over `new`
    /// (nothing when both share storage, as untouched kinds of a cluster state do) and a sort of
    /// the keys that differ only: an agent diffs 10,000 services per event.
    init<Key: Comparable>(old: [Key: Object], new: [Key: Object]) {
        self.init()
        guard old != new else { return }
        var differing: [Key] = []
        for (key, object) in new where old[key] != object { differing.append(key) }
        for key in old.keys where new[key] == nil { differing.append(key) }
        for key in differing.sorted() {
            switch (old[key], new[key]) {
            case (nil, let added?): self.added.append(added)
            case (let removed?, nil): self.removed.append(removed)
            case (let before?, let after?) where before != after: changed.append(Modification(old: before, new: after))
            default: break
            }
        }
    }
}

/// The difference between two cluster states, for consumers that update incrementally.
public struct ClusterStateChange: Hashable, Sendable {
    /// Implied namespaces count as namespaces: one appears with its first pod.
    public var namespaces: ChangeSet<Namespace>
    public var pods: ChangeSet<Pod>
    public var policies: ChangeSet<PolicyObject>
    public var services: ChangeSet<Service>
    public var endpointSlices: ChangeSet<EndpointSlice>

    public var isEmpty: Bool {
        namespaces.isEmpty && pods.isEmpty && policies.isEmpty && services.isEmpty && endpointSlices.isEmpty
    }

    /// Whether the service model must be rebuilt: services, slices, or pods (named target ports
    /// and endpoint nodes are resolved against pods).
    public var touchesServices: Bool { !services.isEmpty || !endpointSlices.isEmpty || !pods.isEmpty }
}

extension ClusterState {
    /// What changed from `old` to `self`.
    public func diff(from old: ClusterState) -> ClusterStateChange {
        ClusterStateChange(
            namespaces: ChangeSet(old: old.namespaces, new: namespaces),
            pods: ChangeSet(old: old.pods, new: pods),
            policies: ChangeSet(old: old.policies, new: policies),
            services: ChangeSet(old: old.services, new: services),
            endpointSlices: ChangeSet(old: old.endpointSlices, new: endpointSlices))
    }
}
