import CHedgerowABI
import HedgerowCore
import Testing

@testable import HedgerowDatapath

/// The Swift view of the per-packet NAT part of hedgerow_abi.h (layout.c asserts the C side),
/// and the flow hash pinned to the values the C header computes.
@Suite struct UplinkABILayoutTests {
    @Test func natKeyAndEntry() {
        #expect(MemoryLayout<hedgerow_nat4_key>.size == 16)
        #expect(MemoryLayout<hedgerow_nat4_key>.offset(of: \.sport) == 8)
        #expect(MemoryLayout<hedgerow_nat4_key>.offset(of: \.protocol) == 12)
        #expect(MemoryLayout<hedgerow_nat4_key>.offset(of: \.hook) == 13)
        #expect(MemoryLayout<hedgerow_nat4_entry>.size == 40)
        #expect(MemoryLayout<hedgerow_nat4_entry>.offset(of: \.saddr) == 16)
        #expect(MemoryLayout<hedgerow_nat4_entry>.offset(of: \.sport) == 24)
        #expect(MemoryLayout<hedgerow_nat4_entry>.offset(of: \.service_id) == 28)
        #expect(MemoryLayout<hedgerow_nat4_entry>.offset(of: \.flags) == 30)
        #expect(MemoryLayout<hedgerow_nat4_entry>.offset(of: \.backend_id) == 32)
        #expect(HEDGEROW_NAT_HOOK_UPLINK_INGRESS.rawValue == ServiceNATEntry.Hook.uplinkIngress.rawValue.asUInt32)
        #expect(HEDGEROW_NAT_HOOK_ENDPOINT_INGRESS.rawValue == ServiceNATEntry.Hook.endpointIngress.rawValue.asUInt32)
    }

    @Test func uplinkConfigAndNodeAddresses() {
        #expect(MemoryLayout<hedgerow_uplink_config>.size == 16)
        #expect(MemoryLayout<hedgerow_uplink_config>.offset(of: \.snat_ipv4) == 4)
        #expect(MemoryLayout<hedgerow_uplink_config>.offset(of: \.snat_port_min) == 8)
        #expect(MemoryLayout<hedgerow_uplink_config>.offset(of: \.snat_port_max) == 10)
        #expect(MemoryLayout<hedgerow_node_addr_key>.size == 16)
        #expect(HEDGEROW_SNAT_PORT_MIN == 61000 && HEDGEROW_SNAT_PORT_MAX == 65535)
    }

    @Test func flowEventCarriesTheTranslationPointInFormerPadding() {
        #expect(MemoryLayout<hedgerow_flow_event>.size == 104)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.rev_nat_id) == 84)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.translation_point) == 86)
        #expect(MemoryLayout<hedgerow_flow_event>.offset(of: \.orig_daddr) == 88)
    }

    @Test func decodesTheTranslationPoint() throws {
        var raw = hedgerow_flow_event()
        raw.ip_version = UInt8(HEDGEROW_IPV4.rawValue)
        raw.protocol = 6
        raw.flags = UInt8(HEDGEROW_FLOW_F_TRANSLATED.rawValue)
        raw.orig_daddr = ABIAddress.bytes(IPAddress("192.168.77.1")!)
        raw.orig_dport = UInt16(30080).bigEndian
        raw.rev_nat_id = 12
        raw.translation_point = UInt8(HEDGEROW_TRANSLATION_UPLINK.rawValue)
        let event = try FlowEvent(record: withUnsafeBytes(of: raw) { Array($0) })
        #expect(event.translation == .init(originalDestination: IPAddress("192.168.77.1")!, originalPort: 30080,
                                           reverseNATID: 12, point: .uplink))
    }

    /// Values computed by bpf/include/maglev_hash.h compiled for the host.
    @Test func flowHashMatchesTheDatapath() {
        #expect(MaglevFlowHash.mix(0, 0, 0, seed: 0) == 459_859_287)
        #expect(MaglevFlowHash.mix(1, 2, 3, seed: 17) == 4_292_513_118)
        let flow = MaglevFlowHash.hash(source: 0xC0A8_4D64, destination: 0xC0A8_4D01, sourcePort: 40000, destinationPort: 30080,
                                       protocol: 6)
        #expect(flow == 1_758_602_749)
    }
}

extension UInt8 {
    fileprivate var asUInt32: UInt32 { UInt32(self) }
}
