extension ServiceModel {
    /// Builds the frontends of every Service for the node `nodeName`:
    ///
    /// - one frontend per VIP:port:protocol: each cluster IP (internal traffic policy), each
    ///   external IP and, for LoadBalancer services, each `status.loadBalancer.ingress` IP
    ///   (external policy), and for NodePort/LoadBalancer ports with a nodePort, one "any node
    ///   address" frontend per IP family of the service (external policy);
    /// - backends of the frontend's family from the Service's EndpointSlices, chosen by
    ///   `BackendSelection` (Local policy → this node only; ready, else serving+terminating);
    /// - ExternalName and headless services are left out with a note; a service without usable
    ///   backends still gets its frontends, with no backends, so that the datapath rejects.
    ///
    /// When two services claim the same VIP:port:protocol, the first by namespace/name keeps it.
    /// Ids come from `ids`, which keeps them stable; ids of frontends that are gone are released.
    ///
    /// - Parameters:
    ///   - pods: resolve named targetPorts when a slice port has no number, and give the node of
    ///     endpoints whose slice does not say.
    ///   - nodeName: this node (nil: no backend counts as local).
    public static func build(
        services: [Service], endpointSlices: [EndpointSlice], pods: [Pod] = [], nodeName: String?,
        ids: inout ServiceIDAllocator
    ) -> ServiceModel {
        var notes: [ServiceNote] = []
        let slicesByService = groupSlices(endpointSlices, services: services, notes: &notes)
        let resolution = ServiceEndpointResolution(pods: pods)

        var pending: [FrontendKey: ServiceFrontend] = [:]
        for service in services.sorted(by: { $0.namespacedName < $1.namespacedName }) {
            let frontends = frontends(
                of: service, slices: slicesByService[service.namespacedName] ?? [], resolution: resolution,
                nodeName: nodeName, notes: &notes)
            for frontend in frontends {
                if let owner = pending[frontend.key]?.service {
                    notes.append(
                        ServiceNote(
                            object: reference(service),
                            message: "\(frontend.key) is already used by Service \(owner); this frontend is ignored"))
                    continue
                }
                pending[frontend.key] = frontend
            }
        }

        // Assign before releasing, so that an id freed by this change is not handed out in it.
        var model = ServiceModel()
        for key in pending.keys.sorted() {
            guard let id = ids.id(for: key) else {
                notes.append(
                    ServiceNote(
                        object: reference(pending[key]!.service),
                        message: "no service id left for \(key) (all \(ids.range.count) in use); this frontend is ignored"))
                continue
            }
            var frontend = pending[key]!
            frontend.id = id
            model.frontends[key] = frontend
        }
        ids.retainOnly(Set(model.frontends.keys))
        model.notes = notes
        return model
    }

    static func frontends(
        of service: Service, slices: [EndpointSlice], resolution: ServiceEndpointResolution, nodeName: String?,
        notes: inout [ServiceNote]
    ) -> [ServiceFrontend] {
        if service.type == .externalName {
            notes.append(ServiceNote(object: reference(service), message: "ExternalName service (a DNS alias), nothing to translate"))
            return []
        }
        if service.isHeadless {
            notes.append(ServiceNote(object: reference(service), message: "headless service (clusterIP: None), nothing to translate"))
            return []
        }
        if service.clusterIPs.isEmpty {
            notes.append(
                ServiceNote(object: reference(service), message: "no cluster IP assigned (set spec.clusterIP); no ClusterIP frontend"))
        }
        let families = servedFamilies(service, slices: slices)
        var frontends: [ServiceFrontend] = []
        for port in service.ports {
            let candidates = resolution.candidates(for: port, of: service, slices: slices, notes: &notes)
            var selected: [SelectionKey: [ServiceBackend]] = [:]
            func make(_ address: FrontendAddress, _ number: UInt16, _ kind: FrontendKind) -> ServiceFrontend {
                let policy = kind.isExternal ? service.externalTrafficPolicy : service.internalTrafficPolicy
                let selectionKey = SelectionKey(family: address.family, policy: policy)
                if selected[selectionKey] == nil {
                    let ofFamily = candidates.filter { $0.address.ip.family == address.family }
                    selected[selectionKey] = BackendSelection.select(ofFamily, policy: policy, nodeName: nodeName)
                }
                return ServiceFrontend(
                    key: FrontendKey(address: address, port: number, protocol: port.protocol), kind: kind,
                    service: service.namespacedName, portName: port.name, id: ServiceID(rawValue: 0),
                    backends: selected[selectionKey]!, sessionAffinity: service.sessionAffinity, trafficPolicy: policy)
            }
            frontends += service.clusterIPs.map { make(.ip($0), port.port, .clusterIP) }
            frontends += service.externalIPs.map { make(.ip($0), port.port, .externalIP) }
            if service.type == .loadBalancer {
                frontends += service.loadBalancerIngressIPs.map { make(.ip($0), port.port, .loadBalancer) }
            }
            if service.hasNodePorts {
                if let nodePort = port.nodePort {
                    frontends += families.map { make(.anyNodeAddress($0), nodePort, .nodePort) }
                } else if service.type == .nodePort || service.allocateLoadBalancerNodePorts {
                    notes.append(
                        ServiceNote(
                            object: reference(service),
                            message: "port \(port.name ?? String(port.port)) has no nodePort (no API server allocates one in standalone mode: set it); no NodePort frontend"))
                }
            }
        }
        return frontends
    }

    private struct SelectionKey: Hashable {
        let family: IPFamily
        let policy: TrafficPolicy
    }

    /// The families a node port serves: those of the cluster IPs, else those of the slices.
    private static func servedFamilies(_ service: Service, slices: [EndpointSlice]) -> [IPFamily] {
        var families = Set(service.clusterIPs.map(\.family))
        if families.isEmpty { families = Set(slices.compactMap(\.addressType.family)) }
        return families.isEmpty ? [.ipv4] : families.sorted()
    }

    /// Slices by the service they belong to, in name order; slices that cannot contribute are
    /// noted and left out.
    static func groupSlices(
        _ slices: [EndpointSlice], services: [Service], notes: inout [ServiceNote]
    ) -> [NamespacedName: [EndpointSlice]] {
        let known = Set(services.map(\.namespacedName))
        var grouped: [NamespacedName: [EndpointSlice]] = [:]
        for slice in slices.sorted(by: { $0.namespacedName < $1.namespacedName }) {
            let object = ObjectReference(kind: "EndpointSlice", namespace: slice.namespace, name: slice.name)
            guard let service = slice.serviceName else {
                notes.append(ServiceNote(object: object, message: "no \(EndpointSlice.serviceNameLabel) label, ignored"))
                continue
            }
            guard known.contains(service) else {
                notes.append(ServiceNote(object: object, message: "Service \(service) does not exist, ignored"))
                continue
            }
            if slice.addressType == .fqdn {
                notes.append(ServiceNote(object: object, message: "addressType FQDN is not translated, ignored"))
                continue
            }
            if slice.ports.isEmpty, !slice.endpoints.isEmpty {
                notes.append(ServiceNote(object: object, message: "no ports defined, so its endpoints serve no Service port"))
            }
            grouped[service, default: []].append(slice)
        }
        return grouped
    }

    static func reference(_ service: Service) -> ObjectReference {
        ObjectReference(kind: "Service", namespace: service.namespace, name: service.name)
    }

    static func reference(_ service: NamespacedName) -> ObjectReference {
        ObjectReference(kind: "Service", namespace: service.namespace, name: service.name)
    }
}
