/// Field numbers of the flow record (see docs in FlowRecordEncoder). A field is written as a
/// varint tag `number << 3 | wire type`, then its value, as in protobuf: a reader skips
/// numbers it does not know, so fields can be added without a format version bump.
/// Numbers are never reused. Endpoint, service and policies fields are either a definition
/// (bytes) or a varint reference to an earlier definition in the same block.
enum RecordField {
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case bytes = 2
        case fixed32 = 5
    }

    static func tag(_ number: UInt64, _ wire: WireType) -> UInt64 { number << 3 | wire.rawValue }

    // Flow
    static let seconds: UInt64 = 1  // zigzag
    static let nanos: UInt64 = 2  // zigzag
    static let uuid: UInt64 = 3  // 16 bytes, big-endian value
    static let verdict: UInt64 = 4
    static let dropReason: UInt64 = 5
    static let ethernet: UInt64 = 6  // message: 1 source, 2 destination
    static let ip: UInt64 = 7  // message: 1 source, 2 destination (4 or 16 bytes), 3 encrypted
    static let l4: UInt64 = 8  // message: 1 kind, 2 source port/type, 3 destination port/code, 4 TCP flags
    static let source: UInt64 = 9  // endpoint message
    static let destination: UInt64 = 10
    static let sourceService: UInt64 = 11  // message: 1 namespace, 2 name
    static let destinationService: UInt64 = 12
    static let sourceName: UInt64 = 13  // repeated string
    static let destinationName: UInt64 = 14
    static let nodeName: UInt64 = 15
    static let isReply: UInt64 = 16
    static let eventType: UInt64 = 17  // message: 1 type (zigzag), 2 sub-type (zigzag)
    static let trafficDirection: UInt64 = 18
    static let observationPoint: UInt64 = 19
    static let policyMatchType: UInt64 = 20
    static let interface: UInt64 = 21  // message: 1 index, 2 name
    static let policies: UInt64 = 22  // message: 1..4 repeated policy references, see below

    // Endpoint message
    static let endpointID: UInt64 = 1
    static let endpointIdentity: UInt64 = 2
    static let endpointNamespace: UInt64 = 3
    static let endpointPodName: UInt64 = 4
    static let endpointLabel: UInt64 = 5  // repeated message: 1 source, 2 key, 3 value

    // Policies message: one repeated reference list per direction and outcome.
    static let egressAllowedBy: UInt64 = 1
    static let ingressAllowedBy: UInt64 = 2
    static let egressDeniedBy: UInt64 = 3
    static let ingressDeniedBy: UInt64 = 4
    // Policy reference message: 1 name, 2 namespace, 3 kind, 4 revision.

    /// Layer 4 kinds; stored numbers, never renumbered.
    enum Layer4Kind: UInt64 {
        case tcp = 1
        case udp = 2
        case sctp = 3
        case icmpv4 = 4
        case icmpv6 = 5
    }
}
