import HedgerowCore

/// How one frontend of the model is laid out in the maps, given what they hold, so that a change
/// costs few writes:
///
/// - a backend keeps its id while any frontend uses it; a new one gets the next id;
/// - a frontend's backends keep their slots; a new backend takes the slot of a removed one,
///   else goes at the end; when more went than came, the last slots move into the gaps.
///
/// Pure: `ServiceSyncPlan` decides and orders the writes.
enum ServiceMapLayout {
    static func header(_ frontend: ServiceFrontend) -> FrontendHeader {
        var flags: ServiceEntryFlags = []
        if frontend.backends.isEmpty { flags.insert(.noBackends) }
        if frontend.trafficPolicy == .local { flags.insert(.local) }
        if frontend.kind.isExternal { flags.insert(.external) }
        if case .anyNodeAddress = frontend.key.address { flags.insert(.nodePort) }
        let timeout = frontend.sessionAffinity.timeoutSeconds
        if timeout != nil { flags.insert(.affinity) }
        return FrontendHeader(serviceID: frontend.id.rawValue, flags: flags, affinityTimeoutSeconds: timeout ?? 0)
    }

    static func backendEntry(_ backend: ServiceBackend, protocol transport: TransportProtocol, nodeName: String?) -> BackendEntry {
        var flags: BackendEntryFlags = backend.state == .terminating ? [.terminating] : []
        if let nodeName, backend.nodeName == nodeName { flags.insert(.local) }
        return BackendEntry(key: BackendKey(address: backend.address, protocol: transport), flags: flags)
    }

    /// The slot order of `wanted` (a set, in the model's order) that changes fewest slots of
    /// `previous`.
    static func arrange(_ wanted: [BackendID], previous: [BackendID]) -> [BackendID] {
        let wantedSet = Set(wanted)
        var slots: [BackendID?] = previous.map { wantedSet.contains($0) ? $0 : nil }
        let placed = Set(slots.compactMap { $0 })
        var additions = wanted.filter { !placed.contains($0) }[...]
        for index in slots.indices where slots[index] == nil {
            guard let next = additions.popFirst() else { break }
            slots[index] = next
        }
        slots.append(contentsOf: additions.map { Optional($0) })
        // More removed than added: fill the remaining gaps from the end.
        while let gap = slots.firstIndex(of: nil) {
            while slots.last == .some(nil) { slots.removeLast() }
            guard gap < slots.count else { break }
            slots[gap] = slots.removeLast()
        }
        return slots.compactMap { $0 }
    }
}
