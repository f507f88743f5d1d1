import Foundation
import HedgerowBPF
import HedgerowTestSupport
import Testing

@Suite("Ring buffer")
struct RingBufferTests {
    /// struct ringbuf_test_record in bpf/tests/ringbuf.bpf.c.
    struct Record { var mark: UInt32; var len: UInt32; var seq: UInt64 }

    @Test("records written by a program arrive in order with their contents",
          .enabled(if: Privileged.shouldRun), .timeLimit(.minutes(1)))
    func deliversRecords() async throws {
        try Privileged.require()
        let object = try BPFObject(path: TestObjects.ringbuf)
        defer { object.close() }
        let ring = try BPFRingBuffer(object.map(named: "test_events"))
        defer { ring.close() }
        let program = try object.program(named: "emit_record")

        let reader = Task { () -> [[UInt8]] in
            var records: [[UInt8]] = []
            for await record in ring {
                records.append(record)
                if records.count == 5 { break }
            }
            return records
        }
        for mark in 1...5 as ClosedRange<UInt32> {
            _ = try program.testRun(.tc(packet: syntheticFrame(length: 60 + Int(mark)), mark: mark))
        }
        let records = await reader.value
        #expect(records.count == 5)
        for (index, bytes) in records.enumerated() {
            #expect(bytes.count == MemoryLayout<Record>.size)
            let record = bytes.withUnsafeBytes { $0.loadUnaligned(as: Record.self) }
            #expect(record.mark == UInt32(index + 1))
            #expect(record.len == UInt32(60 + index + 1))
        }
        #expect(ring.droppedRecords == 0)
    }

    @Test("the sequence ends when the consuming task is cancelled",
          .enabled(if: Privileged.shouldRun), .timeLimit(.minutes(1)))
    func endsOnCancellation() async throws {
        try Privileged.require()
        let object = try BPFObject(path: TestObjects.ringbuf)
        defer { object.close() }
        let ring = try BPFRingBuffer(object.map(named: "test_events"))
        let program = try object.program(named: "emit_record")
        _ = try program.testRun(.tc(packet: syntheticFrame(), mark: 42))

        let firstArrived = AsyncStream<Void>.makeStream()
        let reader = Task { () -> Int in
            var count = 0
            for await _ in ring {
                count += 1
                firstArrived.continuation.yield()
            }
            return count
        }
        for await _ in firstArrived.stream { break }
        reader.cancel()
        // Ends (the test's time limit turns a hang into a failure) after exactly one record.
        #expect(await reader.value == 1)
    }

    @Test("close() ends the sequence", .enabled(if: Privileged.shouldRun), .timeLimit(.minutes(1)))
    func endsOnClose() async throws {
        try Privileged.require()
        let object = try BPFObject(path: TestObjects.ringbuf)
        defer { object.close() }
        let ring = try BPFRingBuffer(object.map(named: "test_events"), pollTimeout: .seconds(30))
        let reader = Task { () -> Int in
            var count = 0
            for await _ in ring { count += 1 }
            return count
        }
        ring.close()
        #expect(await reader.value == 0)
    }

    @Test("a map that is not a ring buffer is refused", .enabled(if: Privileged.shouldRun))
    func refusesOtherMaps() throws {
        try Privileged.require()
        let map = try BPFMapHandle.create(type: .hash, keySize: 4, valueSize: 4, maxEntries: 4)
        let error = #expect(throws: BPFError.self) { try BPFRingBuffer(map) }
        #expect(error?.kind == .invalidArgument)
    }
}
