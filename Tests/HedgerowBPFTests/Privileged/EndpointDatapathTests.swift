import Foundation
import HedgerowBPF
import HedgerowTestSupport
import Testing

/// The endpoint programs on a real veth pair, with real packets from a test namespace.
@Suite("Endpoint datapath")
struct EndpointDatapathTests {
    typealias Key = ABIMirror.EndpointKey
    typealias Info = ABIMirror.EndpointInfo
    typealias Traffic = ABIMirror.Traffic

    static func slot(_ endpoint: UInt32, _ direction: UInt32) -> UInt32 {
        endpoint * ABIMirror.directionCount + direction
    }

    static func total(_ map: BPFPerCPUMap<UInt32, Traffic>, _ slot: UInt32) throws -> Traffic {
        let perCPU = try #require(try map.lookup(slot))
        return perCPU.reduce(Traffic(packets: 0, bytes: 0)) { Traffic(packets: $0.packets + $1.packets, bytes: $0.bytes + $1.bytes) }
    }

    @Test("ping from the pod moves both directions' counters; a reload adopts the pinned maps",
          .enabled(if: Privileged.shouldRun), .timeLimit(.minutes(2)))
    func countsTrafficBothWaysAndSurvivesReload() throws {
        try Privileged.require()
        let namespace = try TestNamespace()
        defer { namespace.destroy() }
        let veth = try TestVethPair(into: namespace, subnet: 78)
        defer { veth.destroy() }
        let pins = try TestPinRoot()
        defer { pins.destroy() }

        let endpointID: UInt32 = 7
        var firstMapIDs: (endpoints: UInt32, traffic: UInt32)
        var countedBeforeReload: Traffic
        do {
            let object = try BPFObject(path: TestObjects.endpoint, options: .init(pinRoot: pins.path))
            defer { object.close() }
            #expect(FileManager.default.fileExists(atPath: pins.pin("hedgerow_endpoints")))
            #expect(FileManager.default.fileExists(atPath: pins.pin("hedgerow_traffic")))

            let fromEndpoint = try object.program(named: "from_endpoint")
            let toEndpoint = try object.program(named: "to_endpoint")
            let ingress = try TCHook(ifindex: veth.hostIndex, direction: .ingress).attach(fromEndpoint)
            let egress = try TCHook(ifindex: veth.hostIndex, direction: .egress).attach(toEndpoint)
            #expect(ingress.programID == (try fromEndpoint.info().id))
            #expect(egress.programID == (try toEndpoint.info().id))

            let endpoints = try BPFMap<Key, Info>(object.map(named: "hedgerow_endpoints"))
            let traffic = try BPFPerCPUMap<UInt32, Traffic>(object.map(named: "hedgerow_traffic"))
            try endpoints.update(Key(ifindex: UInt32(veth.hostIndex)), Info(endpointID: endpointID))

            try namespace.run("ping", "-c", "5", "-i", "0.2", "-W", "2", veth.hostAddress)

            let leaving = try Self.total(traffic, Self.slot(endpointID, ABIMirror.directionEgress))
            let entering = try Self.total(traffic, Self.slot(endpointID, ABIMirror.directionIngress))
            // 5 echo requests out of the pod, 5 replies into it; ARP may add a few. An ICMP
            // echo with the default 56-byte payload is 98 bytes on the wire.
            #expect(leaving.packets >= 5)
            #expect(entering.packets >= 5)
            #expect(leaving.bytes >= 5 * 98)
            #expect(entering.bytes >= 5 * 98)
            // Another endpoint's slots stay untouched.
            #expect(try Self.total(traffic, Self.slot(endpointID + 1, ABIMirror.directionEgress)).packets == 0)

            firstMapIDs = (endpoints.handle.info.id, traffic.handle.info.id)
            countedBeforeReload = entering
            // Leave the filters in place as an agent handing over to its next run would.
            ingress.forget()
            egress.forget()
        }

        // The "restarted agent": same pin root, same maps, values intact, filters still there.
        let object = try BPFObject(path: TestObjects.endpoint, options: .init(pinRoot: pins.path))
        defer { object.close() }
        let endpoints = try BPFMap<Key, Info>(object.map(named: "hedgerow_endpoints"))
        let traffic = try BPFPerCPUMap<UInt32, Traffic>(object.map(named: "hedgerow_traffic"))
        #expect(endpoints.handle.info.id == firstMapIDs.endpoints)
        #expect(traffic.handle.info.id == firstMapIDs.traffic)
        #expect(try endpoints.lookup(Key(ifindex: UInt32(veth.hostIndex)))?.endpointID == endpointID)
        let afterReload = try Self.total(traffic, Self.slot(endpointID, ABIMirror.directionIngress))
        #expect(afterReload.packets >= countedBeforeReload.packets)

        let ingress = try #require(try TCHook(ifindex: veth.hostIndex, direction: .ingress).existingAttachment(priority: 1, handle: 1))
        let egress = try #require(try TCHook(ifindex: veth.hostIndex, direction: .egress).existingAttachment(priority: 1, handle: 1))
        // The old programs keep counting into the adopted maps while "the agent" was away.
        try namespace.run("ping", "-c", "2", "-i", "0.2", "-W", "2", veth.hostAddress)
        #expect(try Self.total(traffic, Self.slot(endpointID, ABIMirror.directionIngress)).packets >= afterReload.packets + 2)
        #expect(try ingress.detach())
        #expect(try egress.detach())
        #expect(try tcFilterLines(device: veth.hostName, direction: "ingress").isEmpty)
        #expect(try tcFilterLines(device: veth.hostName, direction: "egress").isEmpty)
        try object.unpinMaps()
        #expect(!FileManager.default.fileExists(atPath: pins.pin("hedgerow_endpoints")))
    }

    @Test("a test run with the veth's ifindex counts one packet for its endpoint",
          .enabled(if: Privileged.shouldRun))
    func testRunCountsSyntheticPacket() throws {
        try Privileged.require()
        let namespace = try TestNamespace()
        defer { namespace.destroy() }
        let veth = try TestVethPair(into: namespace, subnet: 79)
        defer { veth.destroy() }
        let pins = try TestPinRoot()
        defer { pins.destroy() }

        let object = try BPFObject(path: TestObjects.endpoint, options: .init(pinRoot: pins.path))
        defer { object.close() }
        let endpoints = try BPFMap<Key, Info>(object.map(named: "hedgerow_endpoints"))
        let traffic = try BPFPerCPUMap<UInt32, Traffic>(object.map(named: "hedgerow_traffic"))
        try endpoints.update(Key(ifindex: UInt32(veth.hostIndex)), Info(endpointID: 3))

        let frame = syntheticFrame(length: 100)
        let result = try object.program(named: "to_endpoint")
            .testRun(.tc(packet: frame, ifindex: UInt32(veth.hostIndex), repetitions: 4))
        #expect(result.returnValue == 0)  // TC_ACT_OK
        let counted = try Self.total(traffic, Self.slot(3, ABIMirror.directionIngress))
        #expect(counted == Traffic(packets: 4, bytes: 4 * 100))
        #expect(try Self.total(traffic, Self.slot(3, ABIMirror.directionEgress)).packets == 0)
    }

    @Test("without a pin root nothing is pinned: every load gets fresh maps", .enabled(if: Privileged.shouldRun))
    func noPinRootNoPins() throws {
        try Privileged.require()
        let first = try BPFObject(path: TestObjects.endpoint)
        defer { first.close() }
        let second = try BPFObject(path: TestObjects.endpoint)
        defer { second.close() }
        #expect(try first.pinPaths().isEmpty)
        #expect(first.spec.map(named: "hedgerow_endpoints")?.pinning == .byName)
        let firstID = try first.map(named: "hedgerow_endpoints").info.id
        #expect(try second.map(named: "hedgerow_endpoints").info.id != firstID)
    }
}
