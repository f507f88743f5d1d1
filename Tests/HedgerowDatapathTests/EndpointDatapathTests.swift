import CHedgerowABI
import Foundation
import HedgerowBPF
import HedgerowTestSupport
import Testing

@testable import HedgerowDatapath

@Suite struct EndpointDatapathTests {
    /// The compiled object declares its maps with the sizes Swift uses for them.
    @Test func objectMapsMatchTheABI() throws {
        let spec = try BPFObjectSpec(path: TestPaths.bpfObject("endpoint.bpf.o"))
        let endpoints = try #require(spec.map(named: "hedgerow_endpoints"))
        #expect(endpoints.keySize == UInt32(MemoryLayout<hedgerow_endpoint_key>.size))
        #expect(endpoints.valueSize == UInt32(MemoryLayout<hedgerow_endpoint_info>.size))
        #expect(endpoints.maxEntries == UInt32(HEDGEROW_MAX_ENDPOINTS))
        let traffic = try #require(spec.map(named: "hedgerow_traffic"))
        #expect(traffic.valueSize == UInt32(MemoryLayout<hedgerow_traffic>.size))
        #expect(traffic.maxEntries == UInt32(HEDGEROW_TRAFFIC_SLOTS))

        func check(_ name: String, key: Int, value: Int, type: BPFMapType) throws {
            let map = try #require(spec.map(named: name), "\(name) is missing")
            #expect(map.keySize == UInt32(key), "\(name) key")
            #expect(map.valueSize == UInt32(value), "\(name) value")
            #expect(map.type == type, "\(name) type")
            #expect(map.pinning == .byName, "\(name) is pinned so that a restarted agent adopts it")
        }
        try check("hedgerow_policy", key: MemoryLayout<hedgerow_policy_key>.size,
                  value: MemoryLayout<hedgerow_policy_value>.size, type: .lpmTrie)
        try check("hedgerow_ipcache", key: MemoryLayout<hedgerow_ipcache_key>.size,
                  value: MemoryLayout<hedgerow_ipcache_value>.size, type: .lpmTrie)
        try check("hedgerow_ct4", key: MemoryLayout<hedgerow_ct4_key>.size, value: MemoryLayout<hedgerow_ct_entry>.size, type: .lruHash)
        try check("hedgerow_ct6", key: MemoryLayout<hedgerow_ct6_key>.size, value: MemoryLayout<hedgerow_ct_entry>.size, type: .lruHash)
        try check("hedgerow_fragments", key: MemoryLayout<hedgerow_frag_key>.size,
                  value: MemoryLayout<hedgerow_frag_value>.size, type: .lruHash)
        try check("hedgerow_config", key: 4, value: MemoryLayout<hedgerow_config>.size, type: .array)
        try check("hedgerow_drops", key: 4, value: MemoryLayout<hedgerow_traffic>.size, type: .perCPUArray)
        try check("hedgerow_lost_events", key: 4, value: 8, type: .perCPUArray)
        #expect(spec.map(named: "hedgerow_drops")?.maxEntries == UInt32(HEDGEROW_DROP_SLOTS))
        #expect(spec.map(named: "hedgerow_events")?.type == .ringBuffer)
    }

    @Test func endpointInfoCarriesAddressesInNetworkOrder() {
        let info = EndpointDatapath.info(for: DatapathEndpoint(id: 7, interfaceIndex: 3, addresses: ["10.1.2.3", "fd00::1"], identity: 256))
        #expect(info.endpoint_id == 7)
        #expect(info.identity == 256)
        withUnsafeBytes(of: info.ipv4) { #expect(Array($0) == [10, 1, 2, 3]) }
        withUnsafeBytes(of: info.ipv6) { #expect($0.first == 0xfd && $0.last == 1) }
    }

    @Test func trafficSlotsAreDistinctPerEndpointAndDirection() {
        #expect(EndpointDatapath.trafficSlots(1) == [2, 3])
        #expect(EndpointDatapath.trafficSlots(2) == [4, 5])
    }

    /// Install, install again (a restarted agent), remove: one filter per hook throughout, and
    /// none after removal. Traffic is counted in both directions in between.
    @Test(.enabled(if: Privileged.shouldRun)) func installAdoptRemove() throws {
        try Privileged.require()
        let namespace = try TestNamespace(prefix: "hdp")
        defer { namespace.destroy() }
        let veth = try TestVethPair(into: namespace, subnet: 78)
        defer { veth.destroy() }
        let pinRoot = "/sys/fs/bpf/\(UniqueName.make("hdp"))"
        defer { try? BPFPin.removeTree(pinRoot) }

        let endpoint = DatapathEndpoint(id: 5, interfaceIndex: veth.hostIndex, addresses: [veth.peerAddress])
        let first = try EndpointDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: pinRoot)
        #expect(try first.install(endpoint) == .attached)
        try namespace.run("ping", "-c", "3", "-i", "0.2", "-W", "1", veth.hostAddress)
        let counted = try first.traffic(endpointID: 5)
        #expect(counted.egress.packets >= 3)
        #expect(counted.ingress.packets >= 3)

        // A second agent over the same pins adopts what runs and sees the same counters.
        let second = try EndpointDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: pinRoot)
        #expect(try second.install(endpoint) == .adopted)
        #expect(try second.traffic(endpointID: 5).egress.packets >= counted.egress.packets)
        #expect(try filterCount(veth.hostName, "ingress") == 1)
        #expect(try filterCount(veth.hostName, "egress") == 1)

        try second.remove(endpointID: 5, interfaceIndex: veth.hostIndex, interfaceExists: true)
        #expect(try filterCount(veth.hostName, "ingress") == 0)
        #expect(try filterCount(veth.hostName, "egress") == 0)
        #expect(try second.installedInterfaceIndexes().isEmpty)
        #expect(try second.traffic(endpointID: 5) == EndpointTraffic())
    }

    /// An agent whose object declares a different layout for a pinned map (here an earlier run
    /// left a smaller traffic map) replaces that map, says so, and replaces the filters bound to
    /// the old one instead of adopting them: adopting would leave programs counting into a map
    /// nobody reads.
    @Test(.enabled(if: Privileged.shouldRun)) func aChangedMapLayoutIsReplacedWithItsFilters() throws {
        try Privileged.require()
        let namespace = try TestNamespace(prefix: "hdl")
        defer { namespace.destroy() }
        let veth = try TestVethPair(into: namespace, subnet: 79)
        defer { veth.destroy() }
        let pinRoot = "/sys/fs/bpf/\(UniqueName.make("hdl"))"
        defer { try? BPFPin.removeTree(pinRoot) }

        let endpoint = DatapathEndpoint(id: 6, interfaceIndex: veth.hostIndex, addresses: [veth.peerAddress])
        let first = try EndpointDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: pinRoot)
        #expect(first.replacedPins.isEmpty)
        #expect(try first.install(endpoint) == .attached)

        let trafficPin = pinRoot + "/hedgerow_traffic"
        let pinned = try BPFMapHandle.openPinned(trafficPin)
        try BPFPin.remove(trafficPin)
        let older = try BPFMapHandle.create(
            type: pinned.type, keySize: pinned.keySize, valueSize: pinned.valueSize, maxEntries: pinned.maxEntries / 2)
        try older.pin(at: trafficPin)

        let second = try EndpointDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: pinRoot)
        #expect(second.replacedPins.map(\.mapName) == ["hedgerow_traffic"])
        #expect(try BPFMapHandle.openPinned(trafficPin).maxEntries == pinned.maxEntries)
        #expect(try second.install(endpoint) == .replaced)
        #expect(try filterCount(veth.hostName, "ingress") == 1)
        try namespace.run("ping", "-c", "2", "-i", "0.2", "-W", "1", veth.hostAddress)
        #expect(try second.traffic(endpointID: 6).egress.packets >= 2)
        try second.remove(endpointID: 6, interfaceIndex: veth.hostIndex, interfaceExists: true)
    }

    private func filterCount(_ device: String, _ direction: String) throws -> Int {
        try Shell.run("tc", "filter", "show", "dev", device, direction)
            .split(separator: "\n").filter { $0.contains("bpf") && $0.contains("direct-action") }.count
    }
}
