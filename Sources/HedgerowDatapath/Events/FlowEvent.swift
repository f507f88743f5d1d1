import CHedgerowABI
import HedgerowCore

/// One ring-buffer record of the endpoint programs (`struct hedgerow_flow_event`), decoded into
/// the flow model's types. The flow pipeline enriches it into a `Flow`.
public struct FlowEvent: Sendable, Hashable {
    /// When the datapath saw the packet: CLOCK_MONOTONIC nanoseconds (see `WallClock`).
    public var monotonicNanoseconds: UInt64
    public var endpointID: UInt32
    /// The endpoint's host-side veth.
    public var interfaceIndex: UInt32
    public var direction: FlowTrafficDirection
    public var observationPoint: TraceObservationPoint?
    public var verdict: Verdict
    public var dropReason: DropReason?
    public var ip: FlowIP
    /// The IP protocol number (6 TCP, 17 UDP, 132 SCTP, 1 ICMP, 58 ICMPv6, ...).
    public var ipProtocol: UInt8
    /// Ports, flags or ICMP type; nil for protocols without them.
    public var l4: Layer4?
    /// skb->len: the frame as the hook saw it.
    public var packetLength: UInt32
    public var sourceIdentity: SecurityIdentity
    public var destinationIdentity: SecurityIdentity
    public var isReply: Bool
    public var traceReason: FlowTraceReason
    /// Cilium's policy match type (0 none, 1 L3-only, 2 L3-L4, 3 L4-only, 4 all, 5 L3-proto, 6 proto-only).
    public var policyMatchType: UInt32
    /// Names the policy entry that decided (`PolicyMapSync.origins(cookie:)`); 0 for none.
    public var policyCookie: UInt32
    public var reportReason: FlowReportReason
    /// A later fragment: its ports come from the datagram's first fragment.
    public var isFragment: Bool
    /// The destination before service translation, when one happened.
    public var translation: ServiceTranslation?

    public struct ServiceTranslation: Sendable, Hashable {
        public var originalDestination: IPAddress
        public var originalPort: UInt16
        /// The service id (`ServiceFrontend.id`): the agent maps it to namespace/name.
        public var reverseNATID: UInt16
        public var point: ServiceTranslationPoint = .none
    }
}

public struct FlowEventDecodingError: Error, CustomStringConvertible {
    public var size: Int
    public var description: String {
        "flow event record of \(size) bytes, expected \(MemoryLayout<hedgerow_flow_event>.size) (struct hedgerow_flow_event)"
    }
}

extension FlowEvent {
    /// Decodes one raw ring-buffer record.
    public init(record: some Collection<UInt8>) throws(FlowEventDecodingError) {
        let size = MemoryLayout<hedgerow_flow_event>.size
        guard record.count >= size else { throw FlowEventDecodingError(size: record.count) }
        let raw: hedgerow_flow_event = record.withContiguousStorageIfAvailable {
            UnsafeRawBufferPointer($0).loadUnaligned(as: hedgerow_flow_event.self)
        } ?? Array(record).withUnsafeBytes { $0.loadUnaligned(as: hedgerow_flow_event.self) }
        self.init(raw)
    }

    init(_ raw: hedgerow_flow_event) {
        let ipv4 = UInt32(raw.ip_version) == HEDGEROW_IPV4.rawValue
        let flags = UInt32(raw.flags)
        monotonicNanoseconds = raw.time_ns
        endpointID = raw.endpoint_id
        interfaceIndex = raw.ifindex
        direction = TrafficDirection(abi: raw.direction)?.flowDirection ?? .unknown
        observationPoint = UInt32(raw.observation_point) == HEDGEROW_OBS_TO_ENDPOINT.rawValue
            ? .toEndpoint : TraceObservationPoint(rawValue: raw.observation_point)
        verdict = Verdict(rawValue: Int32(raw.verdict)) ?? .unknown
        dropReason = raw.drop_reason == 0 ? nil : DropReason(rawValue: UInt8(truncatingIfNeeded: raw.drop_reason))
        ip = FlowIP(source: ABIAddress.address(raw.saddr, ipv4: ipv4), destination: ABIAddress.address(raw.daddr, ipv4: ipv4))
        ipProtocol = raw.protocol
        var tcpFlags = TCPFlags(rawValue: UInt16(raw.tcp_flags))
        if flags & HEDGEROW_FLOW_F_TCP_NS.rawValue != 0 { tcpFlags.insert(.ns) }
        l4 = Self.layer4(proto: raw.protocol, ipv4: ipv4, sport: UInt16(bigEndian: raw.sport),
                         dport: UInt16(bigEndian: raw.dport), tcpFlags: tcpFlags, type: raw.icmp_type, code: raw.icmp_code)
        packetLength = raw.packet_length
        sourceIdentity = SecurityIdentity(rawValue: raw.src_identity)
        destinationIdentity = SecurityIdentity(rawValue: raw.dst_identity)
        isReply = flags & HEDGEROW_FLOW_F_REPLY.rawValue != 0
        traceReason = FlowTraceReason(rawValue: raw.trace_reason)
        policyMatchType = UInt32(raw.policy_match_type)
        policyCookie = raw.policy_cookie
        reportReason = FlowReportReason(rawValue: raw.report_reason)
        isFragment = flags & HEDGEROW_FLOW_F_FRAGMENT.rawValue != 0
        translation = flags & HEDGEROW_FLOW_F_TRANSLATED.rawValue == 0 ? nil : ServiceTranslation(
            originalDestination: ABIAddress.address(raw.orig_daddr, ipv4: ipv4),
            originalPort: UInt16(bigEndian: raw.orig_dport), reverseNATID: raw.rev_nat_id,
            point: ServiceTranslationPoint(rawValue: raw.translation_point))
    }

    private static func layer4(proto: UInt8, ipv4: Bool, sport: UInt16, dport: UInt16, tcpFlags: TCPFlags,
                               type: UInt8, code: UInt8) -> Layer4? {
        switch proto {
        case 6: .tcp(sourcePort: sport, destinationPort: dport, flags: tcpFlags)
        case 17: .udp(sourcePort: sport, destinationPort: dport)
        case 132: .sctp(sourcePort: sport, destinationPort: dport)
        case 1 where ipv4: .icmpv4(type: type, code: code)
        case 58 where !ipv4: .icmpv6(type: type, code: code)
        default: nil
        }
    }
}
