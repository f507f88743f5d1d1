/// How a Swift value of type `T` sits in a map's key or value slot of `size` bytes.
///
/// A type fits when its size is the slot's size, or when only Swift's omission of tail
/// padding makes it shorter (a Swift `struct { UInt64; UInt32 }` has size 12 and stride 16,
/// where C's `sizeof` says 16). Slots are zero-filled before a value is stored, so padding
/// never carries stray bytes into a hash key. Declare explicit padding fields anyway: Swift
/// does not promise what padding *inside* a value holds.
struct ElementLayout<T: BitwiseCopyable>: Sendable {
    let size: Int

    /// Checks that `T` fits a slot of `size` bytes, or throws `.sizeMismatch`.
    init(slotSize size: Int, role: String, map: BPFMapHandle) throws {
        guard Self.fits(slotSize: size) else {
            throw BPFError(
                kind: .sizeMismatch, operation: "open typed map", mapName: map.name,
                detail: "the map's \(role) is \(size) bytes but \(T.self) is \(MemoryLayout<T>.size) bytes "
                    + "(stride \(MemoryLayout<T>.stride))")
        }
        self.size = size
    }

    init(uncheckedSlotSize size: Int) { self.size = size }

    static func fits(slotSize: Int) -> Bool {
        let size = MemoryLayout<T>.size, stride = MemoryLayout<T>.stride
        return size == slotSize || (size < slotSize && stride == slotSize)
    }

    /// The slot size to declare for `T` when creating a map: C's `sizeof`, which is the stride.
    static var declaredSize: Int { MemoryLayout<T>.stride }

    func store(_ value: T, into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0) {
        let slot = UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + size])
        slot.initializeMemory(as: UInt8.self, repeating: 0)
        slot.storeBytes(of: value, as: T.self)
    }

    func load(from buffer: UnsafeRawBufferPointer, at offset: Int = 0) -> T {
        buffer.loadUnaligned(fromByteOffset: offset, as: T.self)
    }

    /// `values` laid out back to back in slots, as batch calls want them.
    func pack(_ values: some Collection<T>) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: values.count * size)
        bytes.withUnsafeMutableBytes { buffer in
            for (index, value) in values.enumerated() { store(value, into: buffer, at: index * size) }
        }
        return bytes
    }

    func unpack(_ bytes: [UInt8], count: Int) -> [T] {
        bytes.withUnsafeBytes { buffer in (0..<count).map { load(from: buffer, at: $0 * size) } }
    }
}
