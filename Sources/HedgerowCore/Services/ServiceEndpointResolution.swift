/// Turns a Service port and the Service's EndpointSlices into backend candidates: the port
/// number of each endpoint, its node and its pod.
///
/// A slice port matches a Service port by name and protocol (as kube-proxy matches them); an
/// unnamed slice port without a number means "all ports" and matches any Service port of its
/// protocol. The slice port's number is used when given; without one (hand-written slices) the
/// Service's targetPort is resolved: a number as is, a name against the endpoint's pod
/// (`targetRef`, else the pod with that IP). A slice with no matching port, or no ports at
/// all (Kubernetes: "no defined ports"), contributes nothing to this Service port.
struct ServiceEndpointResolution {
    let pods: [NamespacedName: Pod]
    let podsByIP: [IPAddress: Pod]

    init(pods: [Pod]) {
        var byName: [NamespacedName: Pod] = [:]
        var byIP: [IPAddress: Pod] = [:]
        for pod in pods {
            byName[pod.namespacedName] = pod
            // Host-network pods share their node's addresses: they do not identify a pod.
            if !pod.hostNetwork {
                for ip in pod.ips { byIP[ip] = pod }
            }
        }
        self.pods = byName
        podsByIP = byIP
    }

    /// The candidates of `port` among `slices` (FQDN slices excluded by the caller), one per
    /// address: when slices disagree about an address, a ready report wins over the others.
    func candidates(
        for port: ServicePort, of service: Service, slices: [EndpointSlice], notes: inout [ServiceNote]
    ) -> [BackendCandidate] {
        var byAddress: [BackendAddress: BackendCandidate] = [:]
        var unresolved: [String] = []
        for slice in slices {
            guard let slicePort = Self.matchingPort(port, in: slice) else { continue }
            for endpoint in slice.endpoints {
                guard let ip = endpoint.addresses.first else { continue }
                let pod = self.pod(of: endpoint, ip: ip, sliceNamespace: slice.namespace)
                guard let number = slicePort.port ?? targetPortNumber(port, pod: pod) else {
                    unresolved.append(pod.map { "\(ip) (pod \($0.namespacedName))" } ?? "\(ip) (no pod known)")
                    continue
                }
                let candidate = BackendCandidate(
                    address: BackendAddress(ip: ip, port: number), nodeName: endpoint.nodeName ?? pod?.nodeName,
                    conditions: endpoint.conditions, pod: pod?.namespacedName)
                if let existing = byAddress[candidate.address], existing.conditions.isReady || !candidate.conditions.isReady {
                    continue
                }
                byAddress[candidate.address] = candidate
            }
        }
        if !unresolved.isEmpty {
            notes.append(
                ServiceNote(
                    object: ObjectReference(kind: "Service", namespace: service.namespace, name: service.name),
                    message: "port \(port.name ?? String(port.port)): targetPort \"\(port.targetPort)\" not found for "
                        + unresolved.joined(separator: ", ") + "; those endpoints are skipped"))
        }
        return Array(byAddress.values)
    }

    static func matchingPort(_ port: ServicePort, in slice: EndpointSlice) -> EndpointPort? {
        slice.ports.first { ($0.name ?? "") == (port.name ?? "") && $0.protocol == port.protocol }
            ?? slice.ports.first { $0.name == nil && $0.port == nil && $0.protocol == port.protocol }
    }

    private func targetPortNumber(_ port: ServicePort, pod: Pod?) -> UInt16? {
        switch port.targetPort {
        case .number(let number): number
        case .name(let name): pod?.port(named: name, protocol: port.protocol)?.port
        }
    }

    private func pod(of endpoint: Endpoint, ip: IPAddress, sliceNamespace: String) -> Pod? {
        if let reference = endpoint.targetRef, reference.kind == "Pod" {
            return pods[NamespacedName(namespace: reference.namespace ?? sliceNamespace, name: reference.name)]
        }
        return podsByIP[ip]
    }
}
