import Foundation
import HedgerowBPF
import HedgerowTestSupport
import Testing

@Suite("Object specs (no privileges needed)")
struct ObjectSpecTests {
    @Test("the endpoint object declares its two pinned maps")
    func endpointMaps() throws {
        let spec = try BPFObjectSpec(path: TestObjects.endpoint)
        #expect(spec.name == "endpoint")
        let endpoints = try #require(spec.map(named: "hedgerow_endpoints"))
        #expect(endpoints.type == .hash)
        #expect(endpoints.keySize == 4)
        #expect(endpoints.valueSize == 32)
        #expect(endpoints.maxEntries == 65536)
        #expect(endpoints.pinning == .byName)
        #expect(!endpoints.isInternal)
        let traffic = try #require(spec.map(named: "hedgerow_traffic"))
        #expect(traffic.type == .perCPUArray)
        #expect(traffic.keySize == 4)
        #expect(traffic.valueSize == 16)
        #expect(traffic.maxEntries == 65536 * 2)
        #expect(traffic.pinning == .byName)
    }

    @Test("the endpoint object declares from_endpoint and to_endpoint as tc programs")
    func endpointPrograms() throws {
        let spec = try BPFObjectSpec(path: TestObjects.endpoint)
        #expect(Set(spec.programs.map(\.name)) == ["from_endpoint", "to_endpoint"])
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
