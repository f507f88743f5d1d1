import CHedgerowABI
import Testing

/// The Swift view of bpf/include/hedgerow_abi.h must match what the BPF programs were compiled
/// with. The C side asserts the same numbers with _Static_assert (Sources/CHedgerowABI/layout.c),
/// so a change to the header that forgets one side fails the build or this test.
@Suite struct ABILayoutTests {
    @Test func endpointKey() {
        #expect(MemoryLayout<hedgerow_endpoint_key>.size == 4)
        #expect(MemoryLayout<hedgerow_endpoint_key>.offset(of: \.ifindex) == 0)
    }

    @Test func endpointInfo() {
        #expect(MemoryLayout<hedgerow_endpoint_info>.size == 32)
        #expect(MemoryLayout<hedgerow_endpoint_info>.offset(of: \.endpoint_id) == 0)
        #expect(MemoryLayout<hedgerow_endpoint_info>.offset(of: \.identity) == 4)
        #expect(MemoryLayout<hedgerow_endpoint_info>.offset(of: \.flags) == 8)
        #expect(MemoryLayout<hedgerow_endpoint_info>.offset(of: \.ipv4) == 12)
        #expect(MemoryLayout<hedgerow_endpoint_info>.offset(of: \.ipv6) == 16)
    }

    @Test func endpointFlagBitsAreDisjointFromTheRevision() {
        let flags = HEDGEROW_EP_F_ACTIVE.rawValue | HEDGEROW_EP_F_ENFORCE_EGRESS.rawValue | HEDGEROW_EP_F_ENFORCE_INGRESS.rawValue
            | HEDGEROW_EP_F_RULES_EGRESS.rawValue | HEDGEROW_EP_F_RULES_INGRESS.rawValue
            | HEDGEROW_EP_F_POLICY_GENERATION.rawValue
        #expect(flags & HEDGEROW_EP_REVISION_MASK == 0)
        #expect(flags.nonzeroBitCount == 6)
        #expect(HEDGEROW_EP_REVISION_MASK == ~UInt32(0) << UInt32(HEDGEROW_EP_REVISION_SHIFT))
        // Per-direction bits are BASE << direction, as the programs compute them.
        #expect(HEDGEROW_EP_F_ENFORCE_BASE << HEDGEROW_DIR_EGRESS.rawValue == HEDGEROW_EP_F_ENFORCE_EGRESS.rawValue)
        #expect(HEDGEROW_EP_F_ENFORCE_BASE << HEDGEROW_DIR_INGRESS.rawValue == HEDGEROW_EP_F_ENFORCE_INGRESS.rawValue)
        #expect(HEDGEROW_EP_F_RULES_BASE << HEDGEROW_DIR_EGRESS.rawValue == HEDGEROW_EP_F_RULES_EGRESS.rawValue)
        #expect(HEDGEROW_EP_F_RULES_BASE << HEDGEROW_DIR_INGRESS.rawValue == HEDGEROW_EP_F_RULES_INGRESS.rawValue)
    }

    @Test func traffic() {
        #expect(MemoryLayout<hedgerow_traffic>.size == 16)
        #expect(MemoryLayout<hedgerow_traffic>.offset(of: \.packets) == 0)
        #expect(MemoryLayout<hedgerow_traffic>.offset(of: \.bytes) == 8)
        #expect(Int(HEDGEROW_TRAFFIC_SLOTS) == Int(HEDGEROW_MAX_ENDPOINTS) * Int(HEDGEROW_DIR_COUNT.rawValue))
        #expect(Int(HEDGEROW_DROP_SLOTS) == Int(HEDGEROW_DROP_REASONS) * Int(HEDGEROW_DIR_COUNT.rawValue))
    }

    @Test func config() {
        #expect(MemoryLayout<hedgerow_config>.size == 32)
        #expect(MemoryLayout<hedgerow_config>.offset(of: \.report_interval_ticks) == 0)
        #expect(MemoryLayout<hedgerow_config>.offset(of: \.aggregation) == 8)
        #expect(MemoryLayout<hedgerow_config>.offset(of: \.ticks_per_second) == 12)
        #expect(MemoryLayout<hedgerow_config>.offset(of: \.ct_tcp_lifetime_s) == 16)
        #expect(MemoryLayout<hedgerow_config>.offset(of: \.ct_syn_lifetime_s) == 20)
        #expect(MemoryLayout<hedgerow_config>.offset(of: \.ct_close_lifetime_s) == 24)
        #expect(MemoryLayout<hedgerow_config>.offset(of: \.ct_other_lifetime_s) == 28)
        #expect(MemoryLayout<hedgerow_clock>.size == 24)
        #expect(MemoryLayout<hedgerow_clock>.offset(of: \.ticks) == 0)
        #expect(MemoryLayout<hedgerow_clock>.offset(of: \.monotonic_ns) == 8)
        #expect(MemoryLayout<hedgerow_clock>.offset(of: \.ticks_per_second) == 16)
    }

    @Test func ipcache() {
        #expect(MemoryLayout<hedgerow_ipcache_key>.size == 24)
        #expect(MemoryLayout<hedgerow_ipcache_key>.offset(of: \.prefixlen) == 0)
        #expect(MemoryLayout<hedgerow_ipcache_key>.offset(of: \.addr) == 4)
        #expect(MemoryLayout<hedgerow_ipcache_key>.offset(of: \._pad) == 20)
        #expect(MemoryLayout<hedgerow_ipcache_value>.size == 8)
        #expect(MemoryLayout<hedgerow_ipcache_value>.offset(of: \.identity) == 0)
    }

    @Test func policy() {
        #expect(MemoryLayout<hedgerow_policy_key>.size == 16)
        #expect(MemoryLayout<hedgerow_policy_key>.offset(of: \.prefixlen) == 0)
        #expect(MemoryLayout<hedgerow_policy_key>.offset(of: \.endpoint_id) == 4)
        #expect(MemoryLayout<hedgerow_policy_key>.offset(of: \.identity) == 8)
        #expect(MemoryLayout<hedgerow_policy_key>.offset(of: \.direction) == 12)
        #expect(MemoryLayout<hedgerow_policy_key>.offset(of: \.protocol) == 13)
        #expect(MemoryLayout<hedgerow_policy_key>.offset(of: \.port) == 14)
        #expect(HEDGEROW_POLICY_PREFIX_STATIC == 72 && HEDGEROW_POLICY_PREFIX_FULL == 96)
        #expect(MemoryLayout<hedgerow_policy_value>.size == 8)
        #expect(MemoryLayout<hedgerow_policy_value>.offset(of: \.cookie) == 0)
        #expect(MemoryLayout<hedgerow_policy_value>.offset(of: \.action) == 4)
        #expect(MemoryLayout<hedgerow_policy_value>.offset(of: \.match_bits) == 5)
    }

    @Test func conntrack() {
        #expect(MemoryLayout<hedgerow_ct4_key>.size == 16)
        #expect(MemoryLayout<hedgerow_ct4_key>.offset(of: \.local_addr) == 0)
        #expect(MemoryLayout<hedgerow_ct4_key>.offset(of: \.remote_addr) == 4)
        #expect(MemoryLayout<hedgerow_ct4_key>.offset(of: \.local_port) == 8)
        #expect(MemoryLayout<hedgerow_ct4_key>.offset(of: \.remote_port) == 10)
        #expect(MemoryLayout<hedgerow_ct4_key>.offset(of: \.endpoint_id) == 12)
        #expect(MemoryLayout<hedgerow_ct4_key>.offset(of: \.protocol) == 14)
        #expect(MemoryLayout<hedgerow_ct4_key>.offset(of: \._pad) == 15)

        #expect(MemoryLayout<hedgerow_ct6_key>.size == 40)
        #expect(MemoryLayout<hedgerow_ct6_key>.offset(of: \.local_addr) == 0)
        #expect(MemoryLayout<hedgerow_ct6_key>.offset(of: \.remote_addr) == 16)
        #expect(MemoryLayout<hedgerow_ct6_key>.offset(of: \.local_port) == 32)
        #expect(MemoryLayout<hedgerow_ct6_key>.offset(of: \.remote_port) == 34)
        #expect(MemoryLayout<hedgerow_ct6_key>.offset(of: \.endpoint_id) == 36)
        #expect(MemoryLayout<hedgerow_ct6_key>.offset(of: \.protocol) == 38)
        #expect(MemoryLayout<hedgerow_ct6_key>.offset(of: \._pad) == 39)

        #expect(MemoryLayout<hedgerow_ct_entry>.size == 88)
        #expect(MemoryLayout<hedgerow_ct_entry>.offset(of: \.created) == 0)
        #expect(MemoryLayout<hedgerow_ct_entry>.offset(of: \.expires) == 8)
        #expect(MemoryLayout<hedgerow_ct_entry>.offset(of: \.last_report_forward) == 16)
        #expect(MemoryLayout<hedgerow_ct_entry>.offset(of: \.last_report_reply) == 24)
        #expect(MemoryLayout<hedgerow_ct_entry>.offset(of: \.packets_forward) == 32)
        #expect(MemoryLayout<hedgerow_ct_entry>.offset(of: \.bytes_reply) == 56)
        #expect(MemoryLayout<hedgerow_ct_entry>.offset(of: \.policy_revision) == 64)
        #expect(MemoryLayout<hedgerow_ct_entry>.offset(of: \.policy_cookie) == 68)
        #expect(MemoryLayout<hedgerow_ct_entry>.offset(of: \.remote_identity) == 72)
        #expect(MemoryLayout<hedgerow_ct_entry>.offset(of: \.rev_nat_id) == 76)
        #expect(MemoryLayout<hedgerow_ct_entry>.offset(of: \.tcp_flags_forward) == 78)
        #expect(MemoryLayout<hedgerow_ct_entry>.offset(of: \.tcp_flags_reply) == 79)
        #expect(MemoryLayout<hedgerow_ct_entry>.offset(of: \.flags) == 80)
        #expect(MemoryLayout<hedgerow_ct_entry>.offset(of: \.policy_match_type) == 81)
        #expect(MemoryLayout<hedgerow_ct_entry>.offset(of: \.direction) == 82)
        #expect(MemoryLayout<hedgerow_ct_entry>.offset(of: \.translation_point) == 83)

        #expect(MemoryLayout<hedgerow_frag_key>.size == 40)
        #expect(MemoryLayout<hedgerow_frag_key>.offset(of: \.id) == 32)
        #expect(MemoryLayout<hedgerow_frag_key>.offset(of: \.protocol) == 36)
        #expect(MemoryLayout<hedgerow_frag_value>.size == 8)
    }

    @Test func flowEvent() {
        #expect(MemoryLayout<hedgerow_flow_event>.size == 104)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.time_ns) == 0)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.endpoint_id) == 8)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.ifindex) == 12)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.src_identity) == 16)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.dst_identity) == 20)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.packet_length) == 24)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.policy_cookie) == 28)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.saddr) == 32)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.daddr) == 48)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.sport) == 64)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.dport) == 66)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.drop_reason) == 68)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.verdict) == 70)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.observation_point) == 71)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.direction) == 72)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.ip_version) == 73)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.protocol) == 74)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.tcp_flags) == 75)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.icmp_type) == 76)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.icmp_code) == 77)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.trace_reason) == 78)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.policy_match_type) == 79)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.flags) == 80)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.report_reason) == 81)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.orig_dport) == 82)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.rev_nat_id) == 84)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.orig_daddr) == 88)
    }

    /// Numbers shared with Hubble keep Hubble's values.
    @Test func hubbleNumbers() {
        #expect(HEDGEROW_VERDICT_FORWARDED.rawValue == 1 && HEDGEROW_VERDICT_DROPPED.rawValue == 2)
        #expect(HEDGEROW_DROP_POLICY_DENIED.rawValue == 133 && HEDGEROW_DROP_POLICY_DENY.rawValue == 181)
        #expect(HEDGEROW_DROP_CT_TRUNCATED_OR_INVALID_HEADER.rawValue == 135)
        #expect(HEDGEROW_DROP_FRAGMENT_NOT_FOUND.rawValue == 175)
        #expect(HEDGEROW_OBS_TO_ENDPOINT.rawValue == 101 && HEDGEROW_OBS_FROM_ENDPOINT.rawValue == 5)
        #expect(HEDGEROW_TRACE_NEW.rawValue == 1 && HEDGEROW_TRACE_REPLY.rawValue == 3)
        #expect(HEDGEROW_POLICY_MATCH_L3_L4.rawValue == 2 && HEDGEROW_POLICY_MATCH_PROTO_ONLY.rawValue == 6)
        #expect(HEDGEROW_IPV4.rawValue == 1 && HEDGEROW_IPV6.rawValue == 2)
    }
}
