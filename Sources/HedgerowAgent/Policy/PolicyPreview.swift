import HedgerowCore

/// A dry run's result before flows meet it: what the request would change and the policy
/// before and after it.
struct PolicyPreview {
    var changes: [PolicyEngine.Change]
    var current: PolicyCompiler
    var candidate: PolicyCompiler
    /// Pod and node addresses to their pod or the node, as `hpolicy trace` resolves them.
    var resolve: (PolicyTraceQuery.Peer) -> PolicyTraceQuery.Peer

    func impact(of observed: ObservedConnectionTally) -> PolicyImpact {
        PolicyImpact(observed: observed.resolved(resolve), current: current, candidate: candidate)
    }
}

/// Where the impact preview reads observed flows: the ring, after the flow history when kept.
struct ObservedFlows: Sendable {
    let store: FlowStore
    let history: (any FlowHistorySource)?

    func tally(since: FlowTimestamp?) async -> ObservedConnectionTally {
        var tally = ObservedConnectionTally()
        var cursor = store.cursor(for: FlowQuery(since: since), history: history)
        while let batch = await cursor.next() {
            for case .flow(let flow) in batch { tally.add(flow) }
        }
        return tally
    }
}
