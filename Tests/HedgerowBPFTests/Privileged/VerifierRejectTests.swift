import Foundation
import HedgerowBPF
import HedgerowTestSupport
import Synchronization
import Testing

@Suite("Verifier rejections")
struct VerifierRejectTests {
    @Test("an unchecked packet read fails with the verifier's log naming the instruction",
          .enabled(if: Privileged.shouldRun))
    func rejectedProgramCarriesVerifierLog() throws {
        try Privileged.require()
        let error = #expect(throws: BPFError.self) { try BPFObject(path: TestObjects.reject) }
        let failure = try #require(error)
        #expect(failure.kind == .verifierRejected)
        #expect(failure.operation == "load object")
        #expect(failure.errno == EACCES)
        #expect(failure.programName == "reject_unchecked_read")
        #expect(failure.objectName == "reject")
        let log = try #require(failure.verifierLog)
        #expect(!log.isEmpty)
        #expect(log.contains("invalid access to packet"))
        // The failing instruction: a one-byte load through the packet pointer.
        #expect(log.split(separator: "\n").contains { $0.contains(": (71) ") && $0.contains("*(u8 *)") })
        #expect(failure.description.contains("invalid access to packet"))
    }

    @Test("a program that passes the verifier loads and test-runs", .enabled(if: Privileged.shouldRun))
    func passthroughLoadsAndRuns() throws {
        try Privileged.require()
        let object = try BPFObject(path: TestObjects.passthrough)
        defer { object.close() }
        let program = try object.program(named: "passthrough")
        #expect(program.type == .schedCls)
        let info = try program.info()
        #expect(info.id > 0)
        #expect(info.tag.count == 8)
        #expect(info.tagString.count == 16)
        #expect(info.name == "passthrough")
        #expect(try BPFProgramInfo(id: info.id) == info)
        let result = try program.testRun(.init(data: syntheticFrame(), repetitions: 10))
        #expect(result.returnValue == 0)
        #expect(result.data == syntheticFrame())
    }

    @Test("an unknown program or map name is a not-found error listing what exists",
          .enabled(if: Privileged.shouldRun))
    func unknownNames() throws {
        try Privileged.require()
        let object = try BPFObject(path: TestObjects.passthrough)
        let error = #expect(throws: BPFError.self) { try object.program(named: "nope") }
        #expect(error?.kind == .notFound)
        #expect(error?.description.contains("passthrough") == true)
        object.close()
        let closed = #expect(throws: BPFError.self) { try object.program(named: "passthrough") }
        #expect(closed?.kind == .closed)
    }

    @Test("feature probes see what this kernel has", .enabled(if: Privileged.shouldRun))
    func featureProbes() throws {
        try Privileged.require()
        #expect(BPFFeatures.ringBuffer)
        #expect(BPFFeatures.tc)
        #expect(BPFFeatures.lpmTrie)
        #expect(BPFFeatures.cgroupSockAddr)
        #expect(try BPFFeatures.supports(mapType: .perCPUArray))
    }
}

@Suite("libbpf messages")
struct LibBPFMessageTests {
    @Test("a log handler receives libbpf's messages, one per call, without trailing newlines", .enabled(if: Privileged.shouldRun))
    func handlerReceivesMessages() throws {
        try Privileged.require()
        let received = Mutex<[String]>([])
        BPFLog.setHandler(maximumLevel: .debug) { _, message in received.withLock { $0.append(message) } }
        defer { BPFLog.setHandler(nil) }
        let object = try BPFObject(path: TestObjects.passthrough)
        object.close()
        let messages = received.withLock { $0 }
        #expect(messages.contains { $0.contains("found program 'passthrough'") })
        #expect(messages.allSatisfy { !$0.hasSuffix("\n") })
    }
}
