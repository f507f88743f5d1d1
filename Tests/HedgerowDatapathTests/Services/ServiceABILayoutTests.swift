import CHedgerowABI
import Testing

/// The Swift view of the service section of bpf/include/hedgerow_abi.h; layout.c asserts the
/// same numbers on the C side.
@Suite struct ServiceABILayoutTests {
    @Test func serviceKeyAndValue() {
        #expect(MemoryLayout<hedgerow_service_key>.size == 24)
        #expect(MemoryLayout<hedgerow_service_key>.offset(of: \.addr) == 0)
        #expect(MemoryLayout<hedgerow_service_key>.offset(of: \.port) == 16)
        #expect(MemoryLayout<hedgerow_service_key>.offset(of: \.protocol) == 18)
        #expect(MemoryLayout<hedgerow_service_key>.offset(of: \.slot) == 20)
        #expect(MemoryLayout<hedgerow_service_value>.size == 16)
        #expect(MemoryLayout<hedgerow_service_value>.offset(of: \.backend_id) == 0)
        #expect(MemoryLayout<hedgerow_service_value>.offset(of: \.backend_count) == 4)
        #expect(MemoryLayout<hedgerow_service_value>.offset(of: \.service_id) == 6)
        #expect(MemoryLayout<hedgerow_service_value>.offset(of: \.flags) == 8)
        #expect(MemoryLayout<hedgerow_service_value>.offset(of: \.affinity_timeout_s) == 12)
    }

    @Test func backendAndRevNAT() {
        #expect(MemoryLayout<hedgerow_backend>.size == 24)
        #expect(MemoryLayout<hedgerow_backend>.offset(of: \.port) == 16)
        #expect(MemoryLayout<hedgerow_backend>.offset(of: \.protocol) == 18)
        #expect(MemoryLayout<hedgerow_backend>.offset(of: \.flags) == 19)
        #expect(MemoryLayout<hedgerow_rev_nat>.size == 24)
        #expect(MemoryLayout<hedgerow_rev_nat>.offset(of: \.port) == 16)
        #expect(MemoryLayout<hedgerow_rev_nat>.offset(of: \.protocol) == 18)
    }

    @Test func affinity() {
        #expect(MemoryLayout<hedgerow_affinity_key>.size == 24)
        #expect(MemoryLayout<hedgerow_affinity_key>.offset(of: \.service_id) == 16)
        #expect(MemoryLayout<hedgerow_affinity_key>.offset(of: \.client_kind) == 18)
        #expect(MemoryLayout<hedgerow_affinity_value>.size == 16)
        #expect(MemoryLayout<hedgerow_affinity_value>.offset(of: \.last_used_ns) == 0)
        #expect(MemoryLayout<hedgerow_affinity_value>.offset(of: \.backend_id) == 8)
        #expect(MemoryLayout<hedgerow_affinity_match_key>.size == 8)
        #expect(MemoryLayout<hedgerow_affinity_match_key>.offset(of: \.service_id) == 4)
        #expect(HEDGEROW_AFFINITY_CLIENT_NETNS.rawValue == 0 && HEDGEROW_AFFINITY_CLIENT_ADDR.rawValue == 1)
    }

    @Test func socketReverseTranslation() {
        #expect(MemoryLayout<hedgerow_sock_rev_nat_key>.size == 32)
        #expect(MemoryLayout<hedgerow_sock_rev_nat_key>.offset(of: \.cookie) == 0)
        #expect(MemoryLayout<hedgerow_sock_rev_nat_key>.offset(of: \.backend_addr) == 8)
        #expect(MemoryLayout<hedgerow_sock_rev_nat_key>.offset(of: \.backend_port) == 24)
        #expect(MemoryLayout<hedgerow_sock_rev_nat_key>.offset(of: \.protocol) == 26)
        #expect(MemoryLayout<hedgerow_sock_rev_nat_value>.size == 24)
        #expect(MemoryLayout<hedgerow_sock_rev_nat_value>.offset(of: \.port) == 16)
        #expect(MemoryLayout<hedgerow_sock_rev_nat_value>.offset(of: \.service_id) == 18)
    }

    @Test func flagsAreDistinctBits() {
        let flags = [HEDGEROW_SVC_F_AFFINITY, HEDGEROW_SVC_F_LOCAL, HEDGEROW_SVC_F_NO_BACKENDS, HEDGEROW_SVC_F_EXTERNAL,
                     HEDGEROW_SVC_F_NODE_PORT].map(\.rawValue)
        #expect(flags.reduce(0, |).nonzeroBitCount == flags.count)
        #expect(HEDGEROW_BACKEND_F_LOCAL.rawValue & HEDGEROW_BACKEND_F_TERMINATING.rawValue == 0)
        #expect(HEDGEROW_MAX_SERVICE_IDS == 65536 && HEDGEROW_MAGLEV_DEFAULT_SIZE == 16381)
    }
}
