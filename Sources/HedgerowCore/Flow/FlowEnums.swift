/// What happened to a flow. Raw values are Hubble's `flow.Verdict` numbers.
public enum Verdict: Int32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case unknown = 0
    case forwarded = 1
    case dropped = 2
    case error = 3
    case audit = 4
    case redirected = 5
    case traced = 6
    case translated = 7

    /// Hubble's name ("FORWARDED"), as users type it after `--verdict`.
    public var name: String {
        switch self {
        case .unknown: "VERDICT_UNKNOWN"
        case .forwarded: "FORWARDED"
        case .dropped: "DROPPED"
        case .error: "ERROR"
        case .audit: "AUDIT"
        case .redirected: "REDIRECTED"
        case .traced: "TRACED"
        case .translated: "TRANSLATED"
        }
    }

    /// Case-insensitive Hubble name.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name.uppercased() }) else { return nil }
        self = match
    }

    public var description: String { name }
}

/// Direction of the connection relative to the endpoint. Raw values are Hubble's.
public enum FlowTrafficDirection: Int32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case unknown = 0
    case ingress = 1
    case egress = 2

    public var name: String {
        switch self {
        case .unknown: "TRAFFIC_DIRECTION_UNKNOWN"
        case .ingress: "INGRESS"
        case .egress: "EGRESS"
        }
    }

    /// "ingress" or "egress", any case.
    public init?(name: String) {
        switch name.lowercased() {
        case "ingress": self = .ingress
        case "egress": self = .egress
        default: return nil
        }
    }

    public var description: String { name }
}

/// Where the datapath observed a forwarded packet. Raw values are Cilium's trace sub-types
/// (the `sub_type` of a trace event); `protoNumber` is the `flow.TraceObservationPoint` number,
/// which differs only for to-endpoint.
public enum TraceObservationPoint: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case toEndpoint = 0
    case toProxy = 1
    case toHost = 2
    case toStack = 3
    case toOverlay = 4
    case fromEndpoint = 5
    case fromProxy = 6
    case fromHost = 7
    case fromStack = 8
    case fromOverlay = 9
    case fromNetwork = 10
    case toNetwork = 11

    /// Hubble's CLI name, also accepted by `--type trace:NAME`.
    public var name: String {
        switch self {
        case .toEndpoint: "to-endpoint"
        case .toProxy: "to-proxy"
        case .toHost: "to-host"
        case .toStack: "to-stack"
        case .toOverlay: "to-overlay"
        case .fromEndpoint: "from-endpoint"
        case .fromProxy: "from-proxy"
        case .fromHost: "from-host"
        case .fromStack: "from-stack"
        case .fromOverlay: "from-overlay"
        case .fromNetwork: "from-network"
        case .toNetwork: "to-network"
        }
    }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    /// The number of this point in `flow.TraceObservationPoint` (TO_ENDPOINT is 101 there).
    public var protoNumber: Int32 { self == .toEndpoint ? 101 : Int32(rawValue) }

    public var description: String { name }
}

/// Where events were lost. Raw values are Hubble's `flow.LostEventSource` numbers.
public enum LostEventSource: Int32, Sendable, Hashable, CaseIterable {
    case unknown = 0
    /// The datapath could not reserve room in its ring buffer.
    case perfEventRingBuffer = 1
    case observerEventsQueue = 2
    /// A reader was too slow: the flow ring overwrote events before it read them.
    case hubbleRingBuffer = 3
}

/// A record of events that never became flows, delivered in order with the flows.
public struct LostEvent: Sendable, Hashable {
    public var source: LostEventSource
    public var count: UInt64
    /// The CPU whose datapath buffer overflowed, when known.
    public var cpu: Int32?

    public init(source: LostEventSource, count: UInt64, cpu: Int32? = nil) {
        self.source = source
        self.count = count
        self.cpu = cpu
    }
}
