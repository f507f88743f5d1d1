/// How the kernel lays out one element of a per-CPU map in user space: one value per
/// *possible* CPU, each in a slot rounded up to 8 bytes.
public struct BPFPerCPULayout: Sendable, Equatable {
    /// The map's value size (one CPU's value).
    public let valueSize: Int
    /// The number of possible CPUs (`libbpf_num_possible_cpus`), not only the online ones.
    public let cpuCount: Int

    public init(valueSize: Int, cpuCount: Int) {
        self.valueSize = valueSize
        self.cpuCount = cpuCount
    }

    /// The layout for this machine.
    public static func current(valueSize: Int) throws -> BPFPerCPULayout {
        BPFPerCPULayout(valueSize: valueSize, cpuCount: try LibBPF.possibleCPUs.get())
    }

    /// Distance between two CPUs' values: the value size rounded up to 8.
    public var stride: Int { (valueSize + 7) & ~7 }
    /// Bytes of one element's buffer (all CPUs).
    public var bufferSize: Int { stride * cpuCount }

    /// Reads one value per CPU from an element buffer.
    public func decode<Value: BitwiseCopyable>(_ buffer: UnsafeRawBufferPointer, as type: Value.Type = Value.self) -> [Value] {
        (0..<cpuCount).map { buffer.loadUnaligned(fromByteOffset: $0 * stride, as: Value.self) }
    }

    /// Writes one value per CPU (`values.count == cpuCount`) into a zeroed element buffer.
    public func encode<Value: BitwiseCopyable>(_ values: [Value], into buffer: UnsafeMutableRawBufferPointer) {
        precondition(values.count == cpuCount, "one value per possible CPU")
        precondition(buffer.count >= bufferSize, "buffer smaller than one per-CPU element")
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        let layout = ElementLayout<Value>(uncheckedSlotSize: valueSize)
        for (cpu, value) in values.enumerated() { layout.store(value, into: buffer, at: cpu * stride) }
    }
}
