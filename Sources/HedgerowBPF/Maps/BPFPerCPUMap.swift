import CLibBPF
import Glibc

/// A typed view of a per-CPU map (per-CPU hash, array, LRU hash): each element holds one
/// `Value` per possible CPU, which the kernel never sums. Readers get all of them and add up
/// what they need; programs update their own CPU's copy without atomics.
///
/// Shares the handle's descriptor: closing the handle closes the view.
public struct BPFPerCPUMap<Key: BitwiseCopyable, Value: BitwiseCopyable>: Sendable {
    public let handle: BPFMapHandle
    /// Where each CPU's value sits in an element.
    public let layout: BPFPerCPULayout
    let key: ElementLayout<Key>

    /// A typed view of `handle`; throws `.sizeMismatch` when `Key` or `Value` does not fit and
    /// `.invalidArgument` when the map is not per-CPU.
    public init(_ handle: BPFMapHandle) throws {
        guard handle.type.isPerCPU else {
            throw BPFError(kind: .invalidArgument, operation: "open per-CPU map", mapName: handle.name,
                           detail: "\(handle.type) is not a per-CPU map: use BPFMap")
        }
        self.handle = handle
        key = try ElementLayout(slotSize: handle.keySize, role: "key", map: handle)
        _ = try ElementLayout<Value>(slotSize: handle.valueSize, role: "value", map: handle)
        layout = try BPFPerCPULayout.current(valueSize: handle.valueSize)
    }

    /// Creates a per-CPU map (`.perCPUHash`, `.perCPUArray`, `.lruPerCPUHash`) sized for `Key`
    /// and `Value` that belongs to no object file.
    public static func create(type: BPFMapType, maxEntries: Int, flags: BPFMapFlags = [], name: String = "") throws -> BPFPerCPUMap {
        try BPFPerCPUMap(BPFMapHandle.create(
            type: type, keySize: ElementLayout<Key>.declaredSize, valueSize: ElementLayout<Value>.declaredSize,
            maxEntries: maxEntries, flags: flags, name: name))
    }

    /// Opens the map pinned at `path` as a typed view.
    public static func openPinned(_ path: String) throws -> BPFPerCPUMap { try BPFPerCPUMap(BPFMapHandle.openPinned(path)) }

    public var name: String { handle.name }
    /// How many values each element has: the possible CPUs.
    public var cpuCount: Int { layout.cpuCount }

    /// One value per possible CPU (index = CPU number), or nil when `key` is absent.
    public func lookup(_ key: Key) throws -> [Value]? {
        try handle.withDescriptor(operation: "lookup element") { fd in
            try withElementBuffers(key) { keyBuffer, valueBuffer in
                let status = bpf_map_lookup_elem(fd, keyBuffer.baseAddress, valueBuffer.baseAddress)
                if status == -ENOENT { return nil }
                if status < 0 { throw handle.error("lookup element", status) }
                return layout.decode(UnsafeRawBufferPointer(valueBuffer), as: Value.self)
            }
        }
    }

    /// Sets every CPU's value of `key`; `values.count` must equal `cpuCount`.
    public func update(_ key: Key, perCPU values: [Value], flags: BPFMapUpdateFlags = .any) throws {
        guard values.count == layout.cpuCount else {
            throw BPFError(kind: .invalidArgument, operation: "update element", mapName: name,
                           detail: "\(values.count) values given for \(layout.cpuCount) possible CPUs")
        }
        try handle.withDescriptor(operation: "update element") { fd in
            try withElementBuffers(key) { keyBuffer, valueBuffer in
                layout.encode(values, into: valueBuffer)
                let status = bpf_map_update_elem(fd, keyBuffer.baseAddress, valueBuffer.baseAddress, flags.rawValue)
                if status < 0 { throw handle.error("update element", status) }
            }
        }
    }

    /// Sets every CPU's value of `key` to `value` (e.g. zero to reset a counter).
    public func update(_ key: Key, allCPUs value: Value, flags: BPFMapUpdateFlags = .any) throws {
        try update(key, perCPU: Array(repeating: value, count: layout.cpuCount), flags: flags)
    }

    /// Deletes `key`. Returns false when it was not there (arrays cannot delete: EINVAL).
    @discardableResult
    public func delete(_ key: Key) throws -> Bool { try handle.deleteElement(key, layout: self.key) }

    /// Every key, in the kernel's iteration order.
    public func keys() throws -> [Key] { try handle.keys(layout: key) }

    /// Every entry with its per-CPU values: batched where the map type allows.
    public func entries() throws -> [(key: Key, values: [Value])] {
        try handle.withDescriptor(operation: "read entries") { fd in
            let raw = try handle.rawEntries(fd: fd, valueBufferSize: layout.bufferSize)
            let keys = key.unpack(raw.keys, count: raw.count)
            return raw.values.withUnsafeBytes { buffer in
                keys.enumerated().map { index, key in
                    let element = UnsafeRawBufferPointer(
                        rebasing: buffer[index * layout.bufferSize..<(index + 1) * layout.bufferSize])
                    return (key: key, values: layout.decode(element, as: Value.self))
                }
            }
        }
    }

    /// Pins the map at `path`; see `BPFMapHandle.pin(at:)`.
    public func pin(at path: String) throws { try handle.pin(at: path) }

    private func withElementBuffers<R>(
        _ element: Key, _ body: (UnsafeMutableRawBufferPointer, UnsafeMutableRawBufferPointer) throws -> R
    ) throws -> R {
        let keySize = max(key.size, 1)
        return try withUnsafeTemporaryAllocation(byteCount: keySize + layout.bufferSize, alignment: 8) { buffer in
            let keyBuffer = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<keySize])
            let valueBuffer = UnsafeMutableRawBufferPointer(rebasing: buffer[keySize...])
            valueBuffer.initializeMemory(as: UInt8.self, repeating: 0)
            key.store(element, into: keyBuffer)
            return try body(keyBuffer, valueBuffer)
        }
    }
}
