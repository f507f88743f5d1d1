/// One endpoint as the datapath needs it.
public struct DatapathEndpoint: Sendable, Equatable {
    public var id: UInt32
    public var interfaceIndex: Int32
    public var addresses: [String]
    /// The endpoint's security identity: the source of its egress flows, the destination of its
    /// ingress flows.
    public var identity: UInt32

    public init(id: UInt32, interfaceIndex: Int32, addresses: [String], identity: UInt32 = 0) {
        self.id = id
        self.interfaceIndex = interfaceIndex
        self.addresses = addresses
        self.identity = identity
    }
}

public struct TrafficCounters: Sendable, Hashable {
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
    public init(packets: UInt64 = 0, bytes: UInt64 = 0) { self.packets = packets; self.bytes = bytes }
}

/// Traffic of one endpoint, seen from the pod: egress leaves it, ingress enters it. Every packet
/// the programs see counts, dropped ones included.
public struct EndpointTraffic: Sendable, Equatable {
    public var egress = TrafficCounters()
    public var ingress = TrafficCounters()
    public init(egress: TrafficCounters = .init(), ingress: TrafficCounters = .init()) {
        self.egress = egress
        self.ingress = ingress
    }
}

/// What `install` found on the interface.
public enum InstallOutcome: Sendable, Equatable, CustomStringConvertible {
    /// Nothing was attached: the programs are now.
    case attached
    /// A previous agent's filters run the same code against the same pinned maps: left as they are.
    case adopted
    /// Filters were there but ran other code (an upgrade): replaced atomically.
    case replaced

    public var description: String {
        switch self {
        case .attached: "attached"
        case .adopted: "adopted the running datapath"
        case .replaced: "replaced the previous programs"
        }
    }
}
