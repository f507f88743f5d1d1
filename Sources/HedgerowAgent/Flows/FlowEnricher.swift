import HedgerowCore
import HedgerowDatapath
import Synchronization

/// Names both ends of a datapath event: local endpoints by id, other pods by address (from the
/// cluster state), everything else by its reserved identity (world, host, ...). The view is
/// replaced wholesale on changes and read on every event, so reads never wait on a writer for long.
final class FlowEnricher: Sendable {
    private struct View: Sendable {
        var podsByAddress: [IPAddress: Pod] = [:]
        /// Endpoint id of each local pod (flows name local ends by it).
        var endpointIDs: [NamespacedName: UInt32] = [:]
        /// The service behind each service id, for translated traffic.
        var services: [UInt16: ServiceName] = [:]
    }

    private let translated = Mutex(TranslatedTuples())

    private let view = Mutex(View())
    private let nodeName: String

    init(nodeName: String) { self.nodeName = nodeName }

    func update(services model: ServiceModel) {
        var services: [UInt16: ServiceName] = [:]
        for frontend in model.frontends.values {
            services[frontend.id.rawValue] = ServiceName(namespace: frontend.service.namespace, name: frontend.service.name)
        }
        view.withLock { $0.services = services }
    }

    func update(cluster: ClusterState, endpoints: [EndpointRecord]) {
        var next = View()
        for pod in cluster.pods.values { for address in pod.ips { next.podsByAddress[address] = pod } }
        for record in endpoints {
            next.endpointIDs[record.pod] = record.id
            guard let pod = cluster.pods[record.pod] else { continue }
            for address in record.ips.compactMap(IPAddress.init) { next.podsByAddress[address] = pod }
        }
        view.withLock { view in
            next.services = view.services
            view = next
        }
    }

    func flow(from event: FlowEvent, clock: HedgerowDatapath.WallClock, policyOrigins: [String]) -> Flow {
        let serviceID = translated.withLock { $0.service(for: event) }
        let (source, destination, service) = view.withLock { view in
            (Self.endpoint(event.ip.source, identity: event.sourceIdentity, view: view),
             Self.endpoint(event.ip.destination, identity: event.destinationIdentity, view: view),
             serviceID.flatMap { view.services[$0] })
        }
        var flow = Flow(
            time: clock.timestamp(monotonicNanoseconds: event.monotonicNanoseconds),
            verdict: event.verdict, dropReason: event.dropReason, ip: event.ip, l4: event.l4,
            source: source, destination: destination, nodeName: nodeName, isReply: event.isReply,
            eventType: event.dropReason.map(FlowEventType.drop)
                ?? .trace(event.observationPoint ?? (event.direction == .ingress ? .toEndpoint : .fromEndpoint)),
            trafficDirection: event.direction,
            observationPoint: event.observationPoint, policyMatchType: event.policyMatchType)
        // The service is the original destination: a reply comes from it.
        if event.isReply { flow.sourceService = service } else { flow.destinationService = service }
        let references = policyOrigins.compactMap(PolicyReference.init(origin:))
        switch (event.direction, event.verdict) {
        case (.ingress, .dropped): flow.policies.ingressDeniedBy = references
        case (.egress, .dropped): flow.policies.egressDeniedBy = references
        case (.ingress, _): flow.policies.ingressAllowedBy = references
        case (.egress, _): flow.policies.egressAllowedBy = references
        default: break
        }
        return flow
    }

    private static func endpoint(_ address: IPAddress, identity: SecurityIdentity, view: View) -> FlowEndpoint {
        guard let pod = view.podsByAddress[address] else { return .reserved(identity) }
        let id = view.endpointIDs[pod.namespacedName] ?? 0
        var labels = pod.labels
        labels["io.kubernetes.pod.namespace"] = pod.namespace
        return .pod(id: id, identity: identity, namespace: pod.namespace, name: pod.name, labels: labels)
    }
}

extension PolicyReference {
    /// From a compiler origin such as "NetworkPolicy x/allow-db ingress[0]".
    init?(origin: String) {
        let words = origin.split(separator: " ")
        guard words.count >= 2, PolicyKind(rawValue: String(words[0])) != nil else { return nil }
        let name = words[1].split(separator: "/").map(String.init)
        self.init(name: name.last ?? "", namespace: name.count == 2 ? name[0] : "", kind: String(words[0]))
    }
}
