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

    @Test func traffic() {
        #expect(MemoryLayout<hedgerow_traffic>.size == 16)
        #expect(MemoryLayout<hedgerow_traffic>.offset(of: \.packets) == 0)
        #expect(MemoryLayout<hedgerow_traffic>.offset(of: \.bytes) == 8)
        #expect(Int(HEDGEROW_TRAFFIC_SLOTS) == Int(HEDGEROW_MAX_ENDPOINTS) * Int(HEDGEROW_DIR_COUNT.rawValue))
    }
}
