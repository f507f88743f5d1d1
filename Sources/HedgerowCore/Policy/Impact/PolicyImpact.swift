/// The connections whose verdict a candidate policy set would change, from observed flows.
///
/// Each distinct connection (see `ObservedConnection`) is traced once on the current and once on
/// the candidate compiler; both verdicts are computed, not taken from the flows, so the flows
/// only say *which* connections matter (a flow's recorded verdict may predate later changes).
public struct PolicyImpact: Sendable, Hashable {
    public enum Verdict: String, Sendable, Hashable, Comparable {
        case allowed = "ALLOWED"
        case denied = "DENIED"

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// One connection whose verdict changes, with how often and how lately it was seen.
    public struct Change: Sendable, Hashable {
        public var connection: ObservedConnection
        public var before: Verdict
        public var after: Verdict
        /// Observed forward flows of the connection.
        public var flows: Int
        public var lastSeen: FlowTimestamp
        /// What decides the new verdict: the matching policies, or those isolating the pod.
        public var decidedBy: [String]

        public var becomesDenied: Bool { after == .denied }
    }

    /// Ordered by source, destination, then port.
    public var changes: [Change]
    /// Distinct connections evaluated (changed or not).
    public var connections: Int
    /// Connections that could not be traced (a pod gone since), with the reason.
    public var untraceable: [String]

    public var anyBecomesDenied: Bool { changes.contains(where: \.becomesDenied) }

    /// `resolve` maps an end before tracing (the agent turns pod and node addresses into pods and
    /// the node); the identity map keeps ends as the flows name them.
    public init(
        flows: some Sequence<Flow>, current: PolicyCompiler, candidate: PolicyCompiler,
        resolve: (PolicyTraceQuery.Peer) -> PolicyTraceQuery.Peer = { $0 }
    ) {
        self.init(
            observed: ObservedConnectionTally(flows).resolved(resolve), current: current, candidate: candidate)
    }

    public init(observed: ObservedConnectionTally, current: PolicyCompiler, candidate: PolicyCompiler) {
        let seen = observed.connections
        var changes: [Change] = []
        var untraceable: [String] = []
        for (connection, observed) in seen {
            let before: PolicyTrace
            let after: PolicyTrace
            do {
                before = try current.trace(connection.traceQuery)
                after = try candidate.trace(connection.traceQuery)
            } catch {
                untraceable.append("\(connection.traceQuery.source) -> \(connection.traceQuery.destination): \(error)")
                continue
            }
            guard before.isAllowed != after.isAllowed else { continue }
            changes.append(Change(
                connection: connection, before: before.isAllowed ? .allowed : .denied,
                after: after.isAllowed ? .allowed : .denied, flows: observed.flows, lastSeen: observed.lastSeen,
                decidedBy: Self.deciders(after)))
        }
        self.changes = changes.sorted(by: Self.order)
        self.connections = seen.count
        self.untraceable = untraceable.sorted()
    }

    /// The policies behind a trace's verdict: the side that drops (egress first, as the datapath),
    /// or the allowing rules of both sides.
    static func deciders(_ trace: PolicyTrace) -> [String] {
        let steps = [trace.egress, trace.ingress].compactMap { $0 }
        func names(_ step: PolicyTrace.Step) -> [String] {
            switch step.verdict {
            case .notEnforced: []
            case .allowed(let entries), .denied(let entries): entries.flatMap(\.origins)
            case .defaultDenied: step.isolatedBy.map(\.description)
            }
        }
        let deciding = trace.isAllowed ? steps : Array(steps.filter { !$0.verdict.isAllowed }.prefix(1))
        return Array(Set(deciding.flatMap(names))).sorted()
    }

    private static func order(_ lhs: Change, _ rhs: Change) -> Bool {
        let left = lhs.connection
        let right = rhs.connection
        return (left.source.description, left.destination.description, left.proto, left.port)
            < (right.source.description, right.destination.description, right.proto, right.port)
    }
}
