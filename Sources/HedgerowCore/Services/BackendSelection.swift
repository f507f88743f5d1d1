/// An endpoint of a Service port, before the traffic policy and conditions pick the backends.
struct BackendCandidate: Hashable, Sendable {
    var address: BackendAddress
    var nodeName: String?
    var conditions: EndpointConditions
    var pod: NamespacedName?
}

/// Which candidates a frontend uses, as kube-proxy decides it: under a Local policy only those
/// on this node; among those the ready ones, or when none is ready the ones that are serving
/// while terminating (so that connections drain gracefully rather than fail); ordered by address.
enum BackendSelection {
    static func select(_ candidates: [BackendCandidate], policy: TrafficPolicy, nodeName: String?) -> [ServiceBackend] {
        let eligible = policy == .local ? candidates.filter { $0.nodeName != nil && $0.nodeName == nodeName } : candidates
        var chosen = eligible.filter(\.conditions.isReady).map { backend($0, state: .active) }
        if chosen.isEmpty {
            chosen = eligible.filter { $0.conditions.isServing && $0.conditions.isTerminating }
                .map { backend($0, state: .terminating) }
        }
        return chosen.sorted()
    }

    private static func backend(_ candidate: BackendCandidate, state: BackendState) -> ServiceBackend {
        ServiceBackend(address: candidate.address, nodeName: candidate.nodeName, state: state, pod: candidate.pod)
    }
}
