import Foundation
import HedgerowBPF
import HedgerowTestSupport
import Testing

@Suite("Object specs (no privileges needed)")
struct ObjectSpecTests {
    @Test("the counter object declares its pinned maps with plain integer keys and values")
    func counterMaps() throws {
        let spec = try BPFObjectSpec(path: TestObjects.counter)
        #expect(spec.name == "counter")
        let slots = try #require(spec.map(named: CounterMaps.slotsMapName))
        #expect(slots.type == .hash)
        #expect(slots.keySize == 4)
        #expect(slots.valueSize == 4)
        #expect(slots.maxEntries == 64)
        #expect(slots.pinning == .byName)
        #expect(!slots.isInternal)
        for direction in CounterMaps.directions {
            for name in [CounterMaps.packetsMapName(direction), CounterMaps.bytesMapName(direction)] {
                let counter = try #require(spec.map(named: name))
                #expect(counter.type == .perCPUArray)
                #expect(counter.keySize == 4)
                #expect(counter.valueSize == 8)
                #expect(counter.maxEntries == 64)
                #expect(counter.pinning == .byName)
            }
        }
        #expect(Set(spec.maps.filter { !$0.isInternal }.map(\.name)) == Set(CounterMaps.mapNames))
    }

    @Test("the counter object declares count_ingress and count_egress as tc programs")
    func counterPrograms() throws {
        let spec = try BPFObjectSpec(path: TestObjects.counter)
        #expect(Set(spec.programs.map(\.name)) == Set(CounterMaps.directions.map(CounterMaps.programName)))
        for program in spec.programs {
            #expect(program.sectionName == "tc")
            #expect(program.type == .schedCls)
            #expect(program.type.description == "sched_cls")
            #expect(program.instructionCount > 0)
        }
    }

    @Test("unpinned maps and the cgroup program's attach type are read too")
    func otherObjects() throws {
        let ringbuf = try BPFObjectSpec(path: TestObjects.ringbuf)
        #expect(ringbuf.map(named: "test_events")?.type == .ringBuffer)
        #expect(ringbuf.map(named: "test_events")?.pinning == BPFPinning.none)
        let cgroup = try BPFObjectSpec(path: TestObjects.cgroupAllow)
        #expect(cgroup.program(named: "allow_egress")?.type == .cgroupSKB)
        #expect(cgroup.program(named: "allow_egress")?.expectedAttachType == .cgroupInetEgress)
    }

    @Test("a missing file is a system error naming the path, with libbpf's message")
    func missingFile() {
        let path = "/nonexistent/\(UniqueName.make("obj")).bpf.o"
        let error = #expect(throws: BPFError.self) { try BPFObjectSpec(path: path) }
        #expect(error?.kind == .system)
        #expect(error?.errno == ENOENT)
        #expect(error?.path == path)
        #expect(error?.libbpfLog?.contains(path) == true)
    }
}
