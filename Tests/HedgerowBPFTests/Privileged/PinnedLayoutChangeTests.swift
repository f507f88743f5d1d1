import Foundation
import HedgerowBPF
import HedgerowTestSupport
import Testing

/// A pinned map whose declared layout changed (here: its capacity) cannot be reused as it is;
/// loading says so, naming the map and both layouts, or replaces exactly that map on request
/// while the others keep their contents.
@Suite("Pinned maps whose layout changed")
struct PinnedLayoutChangeTests {
    @Test(.enabled(if: Privileged.shouldRun))
    func refusedByDefaultAndReplacedOnRequest() throws {
        try Privileged.require()
        let pins = try TestPinRoot()
        defer { pins.destroy() }

        do {
            let first = try BPFObject(path: TestObjects.counter, options: .init(pinRoot: pins.path))
            defer { first.close() }
            #expect(first.replacedPins.isEmpty)
            try BPFMap<UInt32, UInt32>(try first.map(named: "counter_slots")).update(3, 9)
            try BPFPerCPUMap<UInt32, UInt64>(try first.map(named: "ingress_packets")).update(1, allCPUs: 5)
        }

        let bigger = ["counter_slots": UInt32(128)]
        do {
            _ = try BPFObject(path: TestObjects.counter, options: .init(pinRoot: pins.path, maxEntries: bigger))
            Issue.record("a changed layout loaded silently")
        } catch let error as BPFError {
            #expect(error.kind == .sizeMismatch)
            #expect(error.mapName == "counter_slots")
            #expect(String(describing: error).contains("max entries 64 where the object declares 128"))
        }
        // Refusing changed nothing: the old map with its entry is still pinned.
        #expect(try BPFMap<UInt32, UInt32>(try BPFMapHandle.openPinned(pins.pin("counter_slots"))).lookup(3) == 9)

        let replaced = try BPFObject(
            path: TestObjects.counter, options: .init(pinRoot: pins.path, maxEntries: bigger, incompatiblePins: .replace))
        defer { replaced.close() }
        #expect(replaced.replacedPins.map(\.mapName) == ["counter_slots"])
        #expect(replaced.replacedPins.first?.pinned.maxEntries == 64)
        let slots = try BPFMap<UInt32, UInt32>(try replaced.map(named: "counter_slots"))
        #expect(try slots.lookup(3) == nil)
        #expect(try BPFMapHandle.openPinned(pins.pin("counter_slots")).maxEntries == 128)
        // The maps whose layout did not change were adopted with their contents.
        let packets = try BPFPerCPUMap<UInt32, UInt64>(try replaced.map(named: "ingress_packets"))
        let perCPU = try #require(try packets.lookup(1))
        #expect(!perCPU.isEmpty && perCPU.allSatisfy { $0 == 5 })
    }
}
