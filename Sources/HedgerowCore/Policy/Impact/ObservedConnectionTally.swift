/// Observed forward flows folded per connection as they are read, so that a long history is
/// never held in memory at once.
public struct ObservedConnectionTally: Sendable, Hashable {
    public struct Seen: Sendable, Hashable {
        public var flows: Int
        public var lastSeen: FlowTimestamp
    }

    public private(set) var connections: [ObservedConnection: Seen] = [:]

    public init() {}

    public init(_ flows: some Sequence<Flow>) {
        for flow in flows { add(flow) }
    }

    /// Counts a flow if it is the forward direction of a connection; replies and flows
    /// without transport are ignored.
    public mutating func add(_ flow: Flow) {
        guard let connection = ObservedConnection(flow) else { return }
        record(connection, Seen(flows: 1, lastSeen: flow.time))
    }

    mutating func record(_ connection: ObservedConnection, _ seen: Seen) {
        let previous = connections[connection]
        connections[connection] = Seen(
            flows: (previous?.flows ?? 0) + seen.flows, lastSeen: max(previous?.lastSeen ?? seen.lastSeen, seen.lastSeen))
    }

    /// The tally with every end mapped by `resolve`; connections that become equal merge.
    public func resolved(_ resolve: (PolicyTraceQuery.Peer) -> PolicyTraceQuery.Peer) -> ObservedConnectionTally {
        var result = ObservedConnectionTally()
        for (connection, seen) in connections {
            var mapped = connection
            mapped.source = resolve(connection.source)
            mapped.destination = resolve(connection.destination)
            result.record(mapped, seen)
        }
        return result
    }
}
