extension ServiceModel {
    /// Recomputes the frontends of one service in place and returns what changed: the fast
    /// path for an EndpointSlice or Service event, with the same rules as `build`.
    ///
    /// - Parameters:
    ///   - name: the service; `service` is its new state, nil when it was deleted.
    ///   - endpointSlices: the slices labelled for this service (others are ignored).
    ///   - pods: pods behind the slices' endpoints (all pods also work, only slower).
    /// - Returns: the change of this service's frontends. A VIP:port:protocol that another
    ///   service already holds stays with it (noted), as in `build`; unlike `build`, a
    ///   frontend this service gives up is not handed to a waiting claimant until the next
    ///   full build.
    public mutating func update(
        service name: NamespacedName, to service: Service?, endpointSlices: [EndpointSlice], pods: [Pod] = [],
        nodeName: String?, ids: inout ServiceIDAllocator
    ) -> ServiceModelChange {
        let old = frontends.values.filter { $0.service == name }
        var notes: [ServiceNote] = []
        var fresh: [ServiceFrontend] = []
        // Slices of a deleted service stay noted as orphans, as `build` notes them.
        let ownSlices = endpointSlices.filter { $0.serviceName == name }
        let usable = Self.groupSlices(ownSlices, services: service.map { [$0] } ?? [], notes: &notes)[name] ?? []
        if let service {
            precondition(service.namespacedName == name, "update(service:) got another service's state")
            fresh = Self.frontends(
                of: service, slices: usable, resolution: ServiceEndpointResolution(pods: pods), nodeName: nodeName,
                notes: &notes)
        }

        var kept: Set<FrontendKey> = []
        for var frontend in fresh.sorted(by: { $0.key < $1.key }) {
            if let owner = frontends[frontend.key]?.service, owner != name {
                notes.append(
                    ServiceNote(
                        object: Self.reference(name),
                        message: "\(frontend.key) is already used by Service \(owner); this frontend is ignored"))
                continue
            }
            guard let id = ids.id(for: frontend.key) else {
                notes.append(
                    ServiceNote(
                        object: Self.reference(name),
                        message: "no service id left for \(frontend.key) (all \(ids.range.count) in use); this frontend is ignored"))
                continue
            }
            frontend.id = id
            frontends[frontend.key] = frontend
            kept.insert(frontend.key)
        }
        let dropped = old.map(\.key).filter { !kept.contains($0) }
        for key in dropped { frontends[key] = nil }
        ids.release(dropped)

        let sliceNames = Set(endpointSlices.map(\.namespacedName))
        self.notes.removeAll { note in
            let object = NamespacedName(namespace: note.object.namespace ?? "", name: note.object.name)
            return (note.object.kind == "Service" && object == name)
                || (note.object.kind == "EndpointSlice" && sliceNames.contains(object))
        }
        self.notes += notes

        let before = ServiceModel(frontends: old)
        let after = ServiceModel(frontends: kept.map { frontends[$0]! })
        return after.diff(from: before)
    }
}
