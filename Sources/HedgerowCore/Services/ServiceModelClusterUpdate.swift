extension ServiceModel {
    /// Services whose frontends `change` (from `before` to `after`) can alter: changed Services,
    /// the Services of changed EndpointSlices (old and new owner), and the Services whose slices
    /// point at a pod whose addresses, node, ports or network mode changed. A label change of a
    /// pod alters nothing here: selecting pods is the EndpointSlice controller's job.
    public static func servicesAffected(
        by change: ClusterStateChange, before: ClusterState, after: ClusterState
    ) -> Set<NamespacedName> {
        var affected: Set<NamespacedName> = []
        for service in change.services.added + change.services.removed { affected.insert(service.namespacedName) }
        for modification in change.services.changed { affected.insert(modification.new.namespacedName) }
        for slice in change.endpointSlices.added + change.endpointSlices.removed {
            if let name = slice.serviceName { affected.insert(name) }
        }
        for modification in change.endpointSlices.changed {
            if let name = modification.old.serviceName { affected.insert(name) }
            if let name = modification.new.serviceName { affected.insert(name) }
        }

        var pods: [Pod] = change.pods.added + change.pods.removed
        for modification in change.pods.changed where modification.old.servesDifferently(than: modification.new) {
            pods += [modification.old, modification.new]
        }
        guard !pods.isEmpty else { return affected }
        let names = Set(pods.map(\.namespacedName))
        let addresses = Set(pods.flatMap(\.ips))
        for state in [before, after] {
            for slice in state.endpointSlices.values {
                guard let service = slice.serviceName, !affected.contains(service) else { continue }
                let pointsAtPod = slice.endpoints.contains { endpoint in
                    if let target = endpoint.targetRef, target.kind == "Pod" {
                        return names.contains(NamespacedName(namespace: target.namespace ?? slice.namespace, name: target.name))
                    }
                    return endpoint.addresses.contains(where: addresses.contains)
                }
                if pointsAtPod { affected.insert(service) }
            }
        }
        return affected
    }

    /// Brings the frontends of `services` up to `cluster`, service by service (`update(service:)`),
    /// and returns what changed: the fast path for the events of a running cluster, where a
    /// full `build` of thousands of services costs tens of milliseconds per endpoint change.
    public mutating func update(
        services: Set<NamespacedName>, in cluster: ClusterState, nodeName: String?, ids: inout ServiceIDAllocator
    ) -> ServiceModelChange {
        var slices: [NamespacedName: [EndpointSlice]] = [:]
        for slice in cluster.endpointSlices.values {
            guard let service = slice.serviceName, services.contains(service) else { continue }
            slices[service, default: []].append(slice)
        }
        var change = ServiceModelChange()
        for name in services.sorted() {
            let own = (slices[name] ?? []).sorted { $0.namespacedName < $1.namespacedName }
            let step = update(
                service: name, to: cluster.services[name], endpointSlices: own, pods: Self.pods(behind: own, in: cluster),
                nodeName: nodeName, ids: &ids)
            change.added += step.added
            change.removed += step.removed
            change.changed += step.changed
        }
        change.added.sort { $0.key < $1.key }
        change.removed.sort { $0.key < $1.key }
        change.changed.sort { $0.new.key < $1.new.key }
        return change
    }

    /// The pods `slices` point at, by target reference or, without one, by address.
    private static func pods(behind slices: [EndpointSlice], in cluster: ClusterState) -> [Pod] {
        var pods: [NamespacedName: Pod] = [:]
        var unreferenced: Set<IPAddress> = []
        for slice in slices {
            for endpoint in slice.endpoints {
                if let target = endpoint.targetRef, target.kind == "Pod" {
                    let name = NamespacedName(namespace: target.namespace ?? slice.namespace, name: target.name)
                    if let pod = cluster.pods[name] { pods[name] = pod }
                } else {
                    unreferenced.formUnion(endpoint.addresses)
                }
            }
        }
        if !unreferenced.isEmpty {
            for pod in cluster.pods.values where pod.ips.contains(where: unreferenced.contains) { pods[pod.namespacedName] = pod }
        }
        return Array(pods.values)
    }
}

extension Pod {
    /// Whether backends resolved through this pod would differ (addresses, node, container ports,
    /// host network); labels and names of other things do not matter to services.
    func servesDifferently(than other: Pod) -> Bool {
        ips != other.ips || nodeName != other.nodeName || containers != other.containers || hostNetwork != other.hostNetwork
    }
}
