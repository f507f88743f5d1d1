import CHedgerowABI

/// The packet's conntrack state: `flow.TraceReason` numbers (`enum hedgerow_trace_reason`).
public struct FlowTraceReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    init(_ value: hedgerow_trace_reason) { rawValue = UInt8(value.rawValue) }

    public static let unknown = Self(HEDGEROW_TRACE_UNKNOWN)
    public static let new = Self(HEDGEROW_TRACE_NEW)
    public static let established = Self(HEDGEROW_TRACE_ESTABLISHED)
    public static let reply = Self(HEDGEROW_TRACE_REPLY)
    public static let related = Self(HEDGEROW_TRACE_RELATED)

    public var description: String {
        switch self {
        case .new: "new"
        case .established: "established"
        case .reply: "reply"
        case .related: "related"
        default: "unknown"
        }
    }
}

/// Why the datapath reported the packet (`enum hedgerow_report_reason`).
public struct FlowReportReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    init(_ value: hedgerow_report_reason) { rawValue = UInt8(value.rawValue) }

    public static let drop = Self(HEDGEROW_REPORT_DROP)
    /// Aggregation `none`: every packet.
    public static let packet = Self(HEDGEROW_REPORT_PACKET)
    public static let newConnection = Self(HEDGEROW_REPORT_NEW)
    public static let firstReply = Self(HEDGEROW_REPORT_FIRST_REPLY)
    public static let tcpFlags = Self(HEDGEROW_REPORT_TCP_FLAGS)
    public static let periodic = Self(HEDGEROW_REPORT_PERIODIC)
    public static let close = Self(HEDGEROW_REPORT_CLOSE)

    public var description: String {
        switch self {
        case .drop: "drop"
        case .packet: "packet"
        case .newConnection: "new connection"
        case .firstReply: "first reply"
        case .tcpFlags: "tcp flags"
        case .periodic: "periodic"
        case .close: "close"
        default: "reason \(rawValue)"
        }
    }
}

/// Where a flow's destination service was translated (`enum hedgerow_translation_point`).
public struct ServiceTranslationPoint: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    init(_ value: hedgerow_translation_point) { rawValue = UInt8(value.rawValue) }

    public static let none = Self(HEDGEROW_TRANSLATION_NONE)
    /// At connect()/sendmsg() (socket-level LB): the packets carry the backend already.
    public static let socket = Self(HEDGEROW_TRANSLATION_SOCKET)
    /// On the node's uplink (NodePort, external and LoadBalancer IPs).
    public static let uplink = Self(HEDGEROW_TRANSLATION_UPLINK)
    /// On the pod's veth (traffic to a VIP that socket-level LB did not translate).
    public static let endpoint = Self(HEDGEROW_TRANSLATION_ENDPOINT)

    public var description: String {
        switch self {
        case .none: "none"
        case .socket: "socket"
        case .uplink: "uplink"
        case .endpoint: "endpoint"
        default: "point \(rawValue)"
        }
    }
}
