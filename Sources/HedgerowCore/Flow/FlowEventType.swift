/// The Cilium monitor event a flow came from: a message type and a sub-type whose meaning
/// depends on the type (the observation point of a trace, the reason of a drop). Hubble's CLI
/// derives a flow's TYPE column from it, and `--type` filters on it.
public struct FlowEventType: Sendable, Hashable, CustomStringConvertible {
    public var type: Int32
    public var subType: Int32

    public init(type: Int32, subType: Int32) {
        self.type = type
        self.subType = subType
    }

    // Cilium's monitor message types (pkg/monitor/api).
    public static let dropType: Int32 = 1
    public static let debugType: Int32 = 2
    public static let captureType: Int32 = 3
    public static let traceType: Int32 = 4
    public static let policyVerdictType: Int32 = 5
    public static let l7Type: Int32 = 129
    public static let agentType: Int32 = 130

    /// Names accepted by `--type` and their message types.
    public static let typeNames: [(name: String, type: Int32)] = [
        ("drop", dropType), ("debug", debugType), ("capture", captureType), ("trace", traceType),
        ("policy-verdict", policyVerdictType), ("l7", l7Type), ("agent", agentType),
    ]

    public static func trace(_ point: TraceObservationPoint) -> Self {
        Self(type: traceType, subType: Int32(point.rawValue))
    }

    public static func drop(_ reason: DropReason) -> Self {
        Self(type: dropType, subType: Int32(reason.rawValue))
    }

    public static func policyVerdict(matchType: UInt32 = 0) -> Self {
        Self(type: policyVerdictType, subType: Int32(truncatingIfNeeded: matchType))
    }

    public var description: String {
        let name = Self.typeNames.first { $0.type == type }?.name ?? String(type)
        return "\(name):\(subType)"
    }
}
