import Foundation
import HedgerowBPF
import HedgerowTestSupport
import Testing

/// The counter programs (bpf/tests/counter.bpf.c) on a real veth pair, with real packets from a
/// test namespace, and their pinned maps across a reload.
@Suite("Pinned counters on a veth")
struct PinnedCounterTests {
    @Test("ping from the namespace moves both directions' counters; a reload adopts the pinned maps",
          .enabled(if: Privileged.shouldRun), .timeLimit(.minutes(2)))
    func countsTrafficBothWaysAndSurvivesReload() throws {
        try Privileged.require()
        let namespace = try TestNamespace()
        defer { namespace.destroy() }
        let veth = try TestVethPair(into: namespace, subnet: 78)
        defer { veth.destroy() }
        let pins = try TestPinRoot()
        defer { pins.destroy() }

        let device = UInt32(veth.hostIndex)
        let slot: UInt32 = 7
        var firstMapIDs: [String: UInt32]
        var countedBeforeReload: CounterMaps.Totals
        do {
            let object = try BPFObject(path: TestObjects.counter, options: .init(pinRoot: pins.path))
            defer { object.close() }
            for name in CounterMaps.mapNames {
                #expect(FileManager.default.fileExists(atPath: pins.pin(name)), "\(name) is pinned")
            }

            let countIngress = try object.program(named: CounterMaps.programName(.ingress))
            let countEgress = try object.program(named: CounterMaps.programName(.egress))
            let ingress = try TCHook(ifindex: veth.hostIndex, direction: .ingress).attach(countIngress)
            let egress = try TCHook(ifindex: veth.hostIndex, direction: .egress).attach(countEgress)
            #expect(ingress.programID == (try countIngress.info().id))
            #expect(egress.programID == (try countEgress.info().id))

            let counters = try CounterMaps(object)
            try counters.slots.update(device, slot)

            try namespace.run("ping", "-c", "5", "-i", "0.2", "-W", "2", veth.hostAddress)

            // The host veth receives the 5 echo requests and sends the 5 replies; ARP may add a
            // few. An ICMP echo with the default 56-byte payload is 98 bytes on the wire.
            let received = try counters.totals(.ingress, slot: slot)
            let sent = try counters.totals(.egress, slot: slot)
            #expect(received.packets >= 5)
            #expect(sent.packets >= 5)
            #expect(received.bytes >= 5 * 98)
            #expect(sent.bytes >= 5 * 98)
            // Another slot stays untouched.
            #expect(try counters.totals(.ingress, slot: slot + 1).packets == 0)
            #expect(try counters.totals(.egress, slot: slot + 1).packets == 0)

            firstMapIDs = counters.mapIDs
            countedBeforeReload = sent
            // Leave the filters in place as an agent handing over to its next run would.
            ingress.forget()
            egress.forget()
        }

        // The "restarted agent": same pin root, same maps, values intact, filters still there.
        let object = try BPFObject(path: TestObjects.counter, options: .init(pinRoot: pins.path))
        defer { object.close() }
        let counters = try CounterMaps(object)
        #expect(counters.mapIDs == firstMapIDs)
        #expect(try counters.slots.lookup(device) == slot)
        let afterReload = try counters.totals(.egress, slot: slot)
        #expect(afterReload.packets >= countedBeforeReload.packets)

        let ingress = try #require(try TCHook(ifindex: veth.hostIndex, direction: .ingress).existingAttachment(priority: 1, handle: 1))
        let egress = try #require(try TCHook(ifindex: veth.hostIndex, direction: .egress).existingAttachment(priority: 1, handle: 1))
        // The old programs keep counting into the adopted maps while "the agent" was away.
        try namespace.run("ping", "-c", "2", "-i", "0.2", "-W", "2", veth.hostAddress)
        #expect(try counters.totals(.egress, slot: slot).packets >= afterReload.packets + 2)
        #expect(try ingress.detach())
        #expect(try egress.detach())
        #expect(try tcFilterLines(device: veth.hostName, direction: "ingress").isEmpty)
        #expect(try tcFilterLines(device: veth.hostName, direction: "egress").isEmpty)
        try object.unpinMaps()
        for name in CounterMaps.mapNames {
            #expect(!FileManager.default.fileExists(atPath: pins.pin(name)), "\(name) is unpinned")
        }
    }

    @Test("a test run with the veth's ifindex counts its packets in that direction only",
          .enabled(if: Privileged.shouldRun))
    func testRunCountsSyntheticPacket() throws {
        try Privileged.require()
        let namespace = try TestNamespace()
        defer { namespace.destroy() }
        let veth = try TestVethPair(into: namespace, subnet: 79)
        defer { veth.destroy() }
        let pins = try TestPinRoot()
        defer { pins.destroy() }

        let object = try BPFObject(path: TestObjects.counter, options: .init(pinRoot: pins.path))
        defer { object.close() }
        let counters = try CounterMaps(object)
        try counters.slots.update(UInt32(veth.hostIndex), 3)

        let frame = syntheticFrame(length: 100)
        let program = try object.program(named: CounterMaps.programName(.egress))
        let result = try program.testRun(.tc(packet: frame, ifindex: UInt32(veth.hostIndex), repetitions: 4))
        #expect(result.returnValue == 0)  // TC_ACT_OK
        #expect(try counters.totals(.egress, slot: 3) == CounterMaps.Totals(packets: 4, bytes: 4 * 100))
        #expect(try counters.totals(.ingress, slot: 3).packets == 0)

        // Once the device has no slot, its packets pass uncounted.
        #expect(try counters.slots.delete(UInt32(veth.hostIndex)))
        let uncounted = try program.testRun(.tc(packet: frame, ifindex: UInt32(veth.hostIndex), repetitions: 2))
        #expect(uncounted.returnValue == 0)
        #expect(try counters.totals(.egress, slot: 3) == CounterMaps.Totals(packets: 4, bytes: 4 * 100))
    }

    @Test("without a pin root nothing is pinned: every load gets fresh maps", .enabled(if: Privileged.shouldRun))
    func noPinRootNoPins() throws {
        try Privileged.require()
        let first = try BPFObject(path: TestObjects.counter)
        defer { first.close() }
        let second = try BPFObject(path: TestObjects.counter)
        defer { second.close() }
        #expect(try first.pinPaths().isEmpty)
        #expect(first.spec.map(named: CounterMaps.slotsMapName)?.pinning == .byName)
        let firstID = try first.map(named: CounterMaps.slotsMapName).info.id
        #expect(try second.map(named: CounterMaps.slotsMapName).info.id != firstID)
    }
}
