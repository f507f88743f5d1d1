import HedgerowBPF
import Testing

@Suite("Per-CPU value layout")
struct PerCPULayoutTests {
    @Test("values are strided at the value size rounded up to 8 bytes")
    func strideRoundsUpToEight() {
        #expect(BPFPerCPULayout(valueSize: 4, cpuCount: 3).stride == 8)
        #expect(BPFPerCPULayout(valueSize: 8, cpuCount: 3).stride == 8)
        #expect(BPFPerCPULayout(valueSize: 12, cpuCount: 3).stride == 16)
        #expect(BPFPerCPULayout(valueSize: 16, cpuCount: 3).stride == 16)
        #expect(BPFPerCPULayout(valueSize: 12, cpuCount: 3).bufferSize == 48)
    }

    @Test("encode places each CPU's value at its stride and zeroes the gaps; decode reads them back")
    func encodeDecodeRoundTrip() {
        let layout = BPFPerCPULayout(valueSize: 4, cpuCount: 3)
        let values: [UInt32] = [0x1111_1111, 0x2222_2222, 0x3333_3333]
        var buffer = [UInt8](repeating: 0xee, count: layout.bufferSize)
        buffer.withUnsafeMutableBytes { layout.encode(values, into: $0) }
        #expect(Array(buffer[0..<4]) == [0x11, 0x11, 0x11, 0x11])
        #expect(Array(buffer[4..<8]) == [0, 0, 0, 0])
        #expect(Array(buffer[8..<12]) == [0x22, 0x22, 0x22, 0x22])
        #expect(Array(buffer[16..<20]) == [0x33, 0x33, 0x33, 0x33])
        let decoded = buffer.withUnsafeBytes { layout.decode($0, as: UInt32.self) }
        #expect(decoded == values)
    }

    @Test("a 12-byte value on 2 CPUs starts the second value at byte 16")
    func oddSizedValues() {
        struct Triple: Equatable { var a: UInt32; var b: UInt32; var c: UInt32 }
        let layout = BPFPerCPULayout(valueSize: 12, cpuCount: 2)
        let values = [Triple(a: 1, b: 2, c: 3), Triple(a: 4, b: 5, c: 6)]
        var buffer = [UInt8](repeating: 0, count: layout.bufferSize)
        buffer.withUnsafeMutableBytes { layout.encode(values, into: $0) }
        #expect(buffer[16] == 4)
        #expect(buffer.withUnsafeBytes { layout.decode($0, as: Triple.self) } == values)
    }
}
