/// How one frontend changed: its backends one by one (by address), and whether anything else
/// about it (id, kind, service, port name, affinity, policy) changed.
public struct FrontendChange: Hashable, Sendable {
    public var old: ServiceFrontend
    public var new: ServiceFrontend
    public var addedBackends: [ServiceBackend]
    public var removedBackends: [ServiceBackend]
    /// Same address, different state, node or pod.
    public var updatedBackends: [Modification<ServiceBackend>]

    public init(old: ServiceFrontend, new: ServiceFrontend) {
        self.old = old
        self.new = new
        let before = Dictionary(old.backends.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new.backends.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
        addedBackends = new.backends.filter { before[$0.address] == nil }
        removedBackends = old.backends.filter { after[$0.address] == nil }
        updatedBackends = new.backends.compactMap { backend in
            guard let earlier = before[backend.address], earlier != backend else { return nil }
            return Modification(old: earlier, new: backend)
        }
    }

    /// Something besides the backend set changed.
    public var frontendChanged: Bool {
        var comparable = old
        comparable.backends = new.backends
        return comparable != new
    }

    /// A backend was added, removed or updated.
    public var backendsChanged: Bool {
        !addedBackends.isEmpty || !removedBackends.isEmpty || !updatedBackends.isEmpty
    }
}

/// What to apply to go from one service model to the next, in frontend key order.
public struct ServiceModelChange: Hashable, Sendable {
    public var added: [ServiceFrontend]
    public var removed: [ServiceFrontend]
    public var changed: [FrontendChange]

    public init(added: [ServiceFrontend] = [], removed: [ServiceFrontend] = [], changed: [FrontendChange] = []) {
        self.added = added
        self.removed = removed
        self.changed = changed
    }

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }
}

extension ServiceModel {
    /// What changed from `old` to `self` (notes are not compared).
    public func diff(from old: ServiceModel) -> ServiceModelChange {
        var change = ServiceModelChange()
        for (key, frontend) in frontends {
            if let earlier = old.frontends[key] {
                if earlier != frontend { change.changed.append(FrontendChange(old: earlier, new: frontend)) }
            } else {
                change.added.append(frontend)
            }
        }
        for (key, frontend) in old.frontends where frontends[key] == nil {
            change.removed.append(frontend)
        }
        change.added.sort { $0.key < $1.key }
        change.removed.sort { $0.key < $1.key }
        change.changed.sort { $0.new.key < $1.new.key }
        return change
    }
}
