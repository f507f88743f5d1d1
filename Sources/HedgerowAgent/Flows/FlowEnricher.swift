import HedgerowCore
import HedgerowDatapath
import Synchronization

/// Names both ends of a datapath event: local endpoints by id, other pods by address (from the
/// cluster state), everything else by its reserved identity (world, host, ...). The view is
/// replaced wholesale on changes and read on every event, so reads never wait on a writer for long.
/// Endpoints and policy lists are made once and shared by every flow that names them: a full
/// 65,535-flow ring then holds one copy of each pod's labels instead of one per flow.
final class FlowEnricher: Sendable {
    private struct View: Sendable {
        var podsByAddress: [IPAddress: Pod] = [:]
        /// Endpoint id of each local pod (flows name local ends by it).
        var endpointIDs: [NamespacedName: UInt32] = [:]
        /// The service behind each service id, for translated traffic.
        var services: [UInt16: ServiceName] = [:]
        /// Made on first use, forgotten with the view that named them.
        var endpoints: [EndpointKey: FlowEndpoint] = [:]
        var policies: [PolicyKey: FlowPolicies] = [:]
    }

    private enum EndpointKey: Hashable {
        case pod(IPAddress, SecurityIdentity)
        case reserved(SecurityIdentity)
    }

    private struct PolicyKey: Hashable {
        var cookie: UInt32
        var direction: FlowTrafficDirection
        var dropped: Bool
    }

    /// Bounds of the caches (identities and rules seen are few; these only stop a pathological case).
    private static let cacheLimit = 65_536

    private let translated = Mutex(TranslatedTuples())

    private let view = Mutex(View())
    private let nodeName: String
    /// A pod's identity, for events that do not carry it (0: the uplink's, which names the
    /// backend only after translating to it).
    private let podIdentity: @Sendable (NamespacedName) -> SecurityIdentity?
    /// The policies isolating an endpoint's direction in the audit view (`PolicyEngine.auditIsolation`).
    private let auditIsolation: @Sendable (UInt32, TrafficDirection) -> [ObjectReference]

    init(
        nodeName: String, podIdentity: @escaping @Sendable (NamespacedName) -> SecurityIdentity? = { _ in nil },
        auditIsolation: @escaping @Sendable (UInt32, TrafficDirection) -> [ObjectReference] = { _, _ in [] }
    ) {
        self.nodeName = nodeName
        self.podIdentity = podIdentity
        self.auditIsolation = auditIsolation
    }

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
            next.policies = view.policies
            view = next
        }
    }

    /// `origins` names a policy cookie (nil when unknown, e.g. entries a previous agent wrote).
    func flow(from event: FlowEvent, clock: HedgerowDatapath.WallClock, origins: (UInt32) -> [String]?) -> Flow {
        let serviceID = translated.withLock { $0.service(for: event) }
        let (source, destination, service, rulePolicies) = view.withLock { view in
            (endpoint(event.ip.source, identity: event.sourceIdentity, view: &view),
             endpoint(event.ip.destination, identity: event.destinationIdentity, view: &view),
             serviceID.flatMap { view.services[$0] },
             Self.policies(of: event, view: &view, origins: origins))
        }
        let policies = event.verdict == .audit && event.policyCookie == 0 ? auditDefaultDeny(event) : rulePolicies
        var flow = Flow(
            time: clock.timestamp(monotonicNanoseconds: event.monotonicNanoseconds),
            verdict: event.verdict, dropReason: event.dropReason, ip: event.ip, l4: event.l4,
            source: source, destination: destination, nodeName: nodeName, isReply: event.isReply,
            eventType: Self.eventType(of: event),
            trafficDirection: event.direction,
            observationPoint: event.observationPoint, policyMatchType: event.policyMatchType, policies: policies)
        // The service is the original destination: a reply comes from it.
        if event.isReply { flow.sourceService = service } else { flow.destinationService = service }
        return flow
    }

    /// A drop is a drop event; an audited connection a policy verdict (as Cilium reports audit
    /// mode); anything else a trace at its observation point.
    private static func eventType(of event: FlowEvent) -> FlowEventType {
        if event.verdict == .audit { return .policyVerdict(matchType: event.policyMatchType) }
        return event.dropReason.map(FlowEventType.drop)
            ?? .trace(event.observationPoint ?? (event.direction == .ingress ? .toEndpoint : .fromEndpoint))
    }

    private func endpoint(_ address: IPAddress, identity: SecurityIdentity, view: inout View) -> FlowEndpoint {
        guard let pod = view.podsByAddress[address] else {
            return Self.cached(.reserved(identity), in: &view) { _ in .reserved(identity) }
        }
        return Self.cached(.pod(address, identity), in: &view) { current in
            var labels = pod.labels
            labels["io.kubernetes.pod.namespace"] = pod.namespace
            let known = identity == .any ? podIdentity(pod.namespacedName) ?? identity : identity
            return .pod(id: current.endpointIDs[pod.namespacedName] ?? 0, identity: known,
                        namespace: pod.namespace, name: pod.name, labels: labels)
        }
    }

    private static func cached(_ key: EndpointKey, in view: inout View, make: (View) -> FlowEndpoint) -> FlowEndpoint {
        if let endpoint = view.endpoints[key] { return endpoint }
        let endpoint = make(view)
        if view.endpoints.count >= cacheLimit { view.endpoints.removeAll(keepingCapacity: true) }
        view.endpoints[key] = endpoint
        return endpoint
    }

    /// An AUDIT flow that no rule would have dropped: the default deny of the policies that
    /// isolate the endpoint in the audit view.
    private func auditDefaultDeny(_ event: FlowEvent) -> FlowPolicies {
        let direction: TrafficDirection
        switch event.direction {
        case .ingress: direction = .ingress
        case .egress: direction = .egress
        default: return FlowPolicies()
        }
        let references = auditIsolation(event.endpointID, direction).map {
            PolicyReference(name: $0.name, namespace: $0.namespace ?? "", kind: $0.kind)
        }
        var policies = FlowPolicies()
        if direction == .ingress { policies.ingressDeniedBy = references } else { policies.egressDeniedBy = references }
        return policies
    }

    /// The rules behind the event's verdict, on the side of its direction.
    private static func policies(of event: FlowEvent, view: inout View, origins: (UInt32) -> [String]?) -> FlowPolicies {
        guard event.policyCookie != 0 else { return FlowPolicies() }
        // An AUDIT flow names the policy that would have dropped it, on the denied side.
        let key = PolicyKey(
            cookie: event.policyCookie, direction: event.direction,
            dropped: event.verdict == .dropped || event.verdict == .audit)
        if let policies = view.policies[key] { return policies }
        guard let names = origins(event.policyCookie) else { return FlowPolicies() }
        let references = names.compactMap(PolicyReference.init(origin:))
        var policies = FlowPolicies()
        switch (event.direction, key.dropped) {
        case (.ingress, true): policies.ingressDeniedBy = references
        case (.egress, true): policies.egressDeniedBy = references
        case (.ingress, false): policies.ingressAllowedBy = references
        case (.egress, false): policies.egressAllowedBy = references
        default: return policies
        }
        // Cookies are never given to other origins while this process runs, so an entry stays true.
        if view.policies.count >= cacheLimit { view.policies.removeAll(keepingCapacity: true) }
        view.policies[key] = policies
        return policies
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
