/// A connection as flows show it: the forward direction's view (who opened it, to what port).
/// Every packet of one connection, and every connection with the same ends and port, maps to
/// one value, so policy is evaluated once per distinct value.
public struct ObservedConnection: Hashable, Sendable {
    public var source: PolicyTraceQuery.Peer
    public var destination: PolicyTraceQuery.Peer
    /// IP protocol number (6 TCP, 17 UDP, 132 SCTP, 1 ICMP, 58 ICMPv6).
    public var proto: UInt8
    /// Destination port; 0 for protocols without ports.
    public var port: UInt16

    public init(source: PolicyTraceQuery.Peer, destination: PolicyTraceQuery.Peer, proto: UInt8, port: UInt16) {
        self.source = source
        self.destination = destination
        self.proto = proto
        self.port = port
    }

    public var traceQuery: PolicyTraceQuery {
        PolicyTraceQuery(source: source, destination: destination, proto: proto, port: port)
    }

    /// The connection a flow belongs to; nil for replies (their verdict follows the connection's),
    /// and for flows without addresses or transport (lost-event records, non-IP traffic).
    /// A flow whose reply flag is unknown counts as forward: drops of new connections carry none.
    public init?(_ flow: Flow) {
        guard flow.isReply != true, let ip = flow.ip, let l4 = flow.l4 else { return nil }
        source = Self.peer(flow.source, address: ip.source)
        destination = Self.peer(flow.destination, address: ip.destination)
        switch l4 {
        case .tcp(_, let port, _): (proto, self.port) = (6, port)
        case .udp(_, let port): (proto, self.port) = (17, port)
        case .sctp(_, let port): (proto, self.port) = (132, port)
        case .icmpv4: (proto, port) = (1, 0)
        case .icmpv6: (proto, port) = (58, 0)
        }
    }

    /// A pod end by name; the node by its reserved identity; anything else by address.
    private static func peer(_ end: FlowEndpoint, address: IPAddress) -> PolicyTraceQuery.Peer {
        if !end.podName.isEmpty { return .pod(NamespacedName(namespace: end.namespace, name: end.podName)) }
        return end.identity == .host ? .node(address) : .address(address)
    }
}

extension ObservedConnection {
    /// "TCP", "UDP", "SCTP", "ICMP", "ICMPv6", or the number.
    public var protocolName: String {
        switch proto {
        case 6: "TCP"
        case 17: "UDP"
        case 132: "SCTP"
        case 1: "ICMP"
        case 58: "ICMPv6"
        default: "\(proto)"
        }
    }
}
