import CHedgerowABI
import HedgerowCore
import Testing

@testable import HedgerowDatapath

@Suite struct FlowEventDecodingTests {
    static func bytes(_ event: hedgerow_flow_event) -> [UInt8] { withUnsafeBytes(of: event) { Array($0) } }

    @Test func decodesADroppedTCPPacket() throws {
        var raw = hedgerow_flow_event()
        raw.time_ns = 123_456_789
        raw.endpoint_id = 7
        raw.ifindex = 42
        raw.src_identity = 2001
        raw.dst_identity = 1000
        raw.packet_length = 74
        raw.saddr = ABIAddress.bytes(IPAddress("10.200.1.1")!)
        raw.daddr = ABIAddress.bytes(IPAddress("10.200.0.2")!)
        raw.sport = UInt16(43210).bigEndian
        raw.dport = UInt16(81).bigEndian
        raw.drop_reason = UInt16(HEDGEROW_DROP_POLICY_DENIED.rawValue)
        raw.verdict = UInt8(HEDGEROW_VERDICT_DROPPED.rawValue)
        raw.observation_point = UInt8(HEDGEROW_OBS_TO_ENDPOINT.rawValue)
        raw.direction = UInt8(HEDGEROW_DIR_INGRESS.rawValue)
        raw.ip_version = UInt8(HEDGEROW_IPV4.rawValue)
        raw.protocol = 6
        raw.tcp_flags = 0x02
        raw.trace_reason = UInt8(HEDGEROW_TRACE_NEW.rawValue)
        raw.flags = UInt8(HEDGEROW_FLOW_F_TCP_NS.rawValue)
        raw.report_reason = UInt8(HEDGEROW_REPORT_DROP.rawValue)

        let event = try FlowEvent(record: Self.bytes(raw))
        #expect(event.monotonicNanoseconds == 123_456_789)
        #expect(event.endpointID == 7 && event.interfaceIndex == 42)
        #expect(event.verdict == .dropped)
        #expect(event.dropReason == .policyDenied)
        #expect(event.direction == .ingress)
        #expect(event.observationPoint == .toEndpoint)
        #expect(event.ip == FlowIP(source: IPAddress("10.200.1.1")!, destination: IPAddress("10.200.0.2")!))
        #expect(event.l4 == .tcp(sourcePort: 43210, destinationPort: 81, flags: [.syn, .ns]))
        #expect(event.sourceIdentity.rawValue == 2001 && event.destinationIdentity.rawValue == 1000)
        #expect(event.traceReason == .new && !event.isReply)
        #expect(event.reportReason == .drop)
        #expect(event.translation == nil)
    }

    @Test func decodesAnIPv6ICMPReply() throws {
        var raw = hedgerow_flow_event()
        raw.saddr = ABIAddress.bytes(IPAddress("fd00::2")!)
        raw.daddr = ABIAddress.bytes(IPAddress("fd00::1")!)
        raw.verdict = UInt8(HEDGEROW_VERDICT_FORWARDED.rawValue)
        raw.observation_point = UInt8(HEDGEROW_OBS_FROM_ENDPOINT.rawValue)
        raw.direction = UInt8(HEDGEROW_DIR_EGRESS.rawValue)
        raw.ip_version = UInt8(HEDGEROW_IPV6.rawValue)
        raw.protocol = 58
        raw.icmp_type = 129
        raw.trace_reason = UInt8(HEDGEROW_TRACE_REPLY.rawValue)
        raw.flags = UInt8(HEDGEROW_FLOW_F_REPLY.rawValue)
        let event = try FlowEvent(record: Self.bytes(raw))
        #expect(event.ip.source == IPAddress("fd00::2")!)
        #expect(event.l4 == .icmpv6(type: 129, code: 0))
        #expect(event.isReply && event.traceReason == .reply)
        #expect(event.direction == .egress && event.observationPoint == .fromEndpoint)
        #expect(event.dropReason == nil)
    }

    @Test func decodesServiceTranslation() throws {
        var raw = hedgerow_flow_event()
        raw.ip_version = UInt8(HEDGEROW_IPV4.rawValue)
        raw.protocol = 17
        raw.flags = UInt8(HEDGEROW_FLOW_F_TRANSLATED.rawValue)
        raw.orig_daddr = ABIAddress.bytes(IPAddress("10.43.0.10")!)
        raw.orig_dport = UInt16(53).bigEndian
        raw.rev_nat_id = 9
        let event = try FlowEvent(record: Self.bytes(raw))
        #expect(event.translation == .init(originalDestination: IPAddress("10.43.0.10")!, originalPort: 53, reverseNATID: 9))
    }

    @Test func refusesAShortRecord() {
        #expect(throws: FlowEventDecodingError.self) { try FlowEvent(record: [UInt8](repeating: 0, count: 40)) }
    }

    @Test func wallClockAddsTheOffset() {
        let clock = WallClock(offsetNanoseconds: 1_700_000_000_000_000_000)
        #expect(clock.timestamp(monotonicNanoseconds: 2_500_000_000) == FlowTimestamp(seconds: 1_700_000_002, nanos: 500_000_000))
    }

    @Test func settingsRoundTripThroughTheConfigStruct() {
        var settings = DatapathSettings(aggregation: .maximum)
        settings.reportInterval = .milliseconds(1500)
        settings.otherLifetime = .seconds(30)
        let config = settings.abi(ticksPerSecond: 250)
        #expect(DatapathSettings(config, ticksPerSecond: 250) == settings)
        #expect(config.report_interval_ticks == 375 && config.ticks_per_second == 250)
        // Intervals shorter than a tick become one tick (0 would mean the default).
        settings.reportInterval = .nanoseconds(1)
        #expect(settings.abi(ticksPerSecond: 250).report_interval_ticks == 1)
        // An unwritten config means the defaults, as in the programs.
        #expect(DatapathSettings(hedgerow_config(), ticksPerSecond: 250) == DatapathSettings())
    }
}
