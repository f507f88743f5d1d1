import CLibBPF
import Glibc

/// A typed view of a map whose elements hold one value each: hash, array, LRU hash, LPM trie
/// (a trie key is a plain struct: `prefixlen` then the address bytes).
///
/// `Key` and `Value` are plain C-layout values (imported C structs, integers, tuples of them).
/// The view checks their sizes against the map once, at construction. It shares the handle's
/// descriptor: closing the handle closes the view.
public struct BPFMap<Key: BitwiseCopyable, Value: BitwiseCopyable>: Sendable {
    public let handle: BPFMapHandle
    let key: ElementLayout<Key>
    let value: ElementLayout<Value>

    /// A typed view of `handle`; throws `.sizeMismatch` when `Key` or `Value` does not fit and
    /// `.invalidArgument` for per-CPU maps (use `BPFPerCPUMap`).
    public init(_ handle: BPFMapHandle) throws {
        guard !handle.type.isPerCPU else {
            throw BPFError(kind: .invalidArgument, operation: "open typed map", mapName: handle.name,
                           detail: "\(handle.type) holds one value per CPU: use BPFPerCPUMap")
        }
        self.handle = handle
        key = try ElementLayout(slotSize: handle.keySize, role: "key", map: handle)
        value = try ElementLayout(slotSize: handle.valueSize, role: "value", map: handle)
    }

    /// Creates a map sized for `Key` and `Value` that belongs to no object file.
    public static func create(type: BPFMapType, maxEntries: Int, flags: BPFMapFlags = [], name: String = "") throws -> BPFMap {
        try BPFMap(BPFMapHandle.create(
            type: type, keySize: ElementLayout<Key>.declaredSize, valueSize: ElementLayout<Value>.declaredSize,
            maxEntries: maxEntries, flags: flags, name: name))
    }

    /// Opens the map pinned at `path` as a typed view.
    public static func openPinned(_ path: String) throws -> BPFMap { try BPFMap(BPFMapHandle.openPinned(path)) }

    public var name: String { handle.name }

    /// The value at `key`, or nil when there is none.
    public func lookup(_ key: Key) throws -> Value? {
        try handle.withDescriptor(operation: "lookup element") { fd in
            try withElementBuffers(key) { keyBuffer, valueBuffer in
                let status = bpf_map_lookup_elem(fd, keyBuffer.baseAddress, valueBuffer.baseAddress)
                if status == -ENOENT { return nil }
                if status < 0 { throw handle.error("lookup element", status) }
                return value.load(from: UnsafeRawBufferPointer(valueBuffer))
            }
        }
    }

    /// Sets `key` to `value`. `.noExist` fails with EEXIST on a present key, `.exist` with
    /// ENOENT on an absent one.
    public func update(_ key: Key, _ newValue: Value, flags: BPFMapUpdateFlags = .any) throws {
        try handle.withDescriptor(operation: "update element") { fd in
            try withElementBuffers(key) { keyBuffer, valueBuffer in
                value.store(newValue, into: valueBuffer)
                let status = bpf_map_update_elem(fd, keyBuffer.baseAddress, valueBuffer.baseAddress, flags.rawValue)
                if status < 0 { throw handle.error("update element", status) }
            }
        }
    }

    /// Deletes `key`. Returns false when it was not there. (Array elements cannot be deleted:
    /// the kernel answers EINVAL.)
    @discardableResult
    public func delete(_ key: Key) throws -> Bool { try handle.deleteElement(key, layout: self.key) }

    /// Every key, in the kernel's iteration order.
    public func keys() throws -> [Key] { try handle.keys(layout: key) }

    /// Every entry: with batch lookups where the map type has them, else key by key.
    public func entries() throws -> [(key: Key, value: Value)] {
        try handle.withDescriptor(operation: "read entries") { fd in
            let raw = try handle.rawEntries(fd: fd, valueBufferSize: value.size)
            return Array(zip(key.unpack(raw.keys, count: raw.count), value.unpack(raw.values, count: raw.count)))
                .map { (key: $0.0, value: $0.1) }
        }
    }

    /// Every entry through `bpf_map_lookup_batch` only; nil when this map type has no batch
    /// lookup (`entries()` falls back by itself).
    public func lookupBatch() throws -> [(key: Key, value: Value)]? {
        try handle.withDescriptor(operation: "batch lookup") { fd in
            guard let raw = try handle.rawBatchLookup(fd: fd, valueBufferSize: value.size) else { return nil }
            return Array(zip(key.unpack(raw.keys, count: raw.count), value.unpack(raw.values, count: raw.count)))
                .map { (key: $0.0, value: $0.1) }
        }
    }

    /// Writes all `entries` in one batch call where the map type allows (and `flags` is `.any`),
    /// else one by one. On failure the error's detail says how many were written.
    @discardableResult
    public func updateBatch(_ entries: [(key: Key, value: Value)], flags: BPFMapUpdateFlags = .any) throws -> BPFMapBatchOutcome {
        try handle.withDescriptor(operation: "batch update") { fd in
            try handle.rawBatchUpdate(
                fd: fd, keys: key.pack(entries.map(\.key)), values: value.pack(entries.map(\.value)),
                count: entries.count, valueBufferSize: value.size, flags: flags)
        }
    }

    /// Deletes all `keys` in one batch call where the map type allows, else one by one. Like the
    /// kernel's batch delete it stops with ENOENT at the first missing key.
    @discardableResult
    public func deleteBatch(_ keys: [Key]) throws -> BPFMapBatchOutcome {
        try handle.withDescriptor(operation: "batch delete") { fd in
            try handle.rawBatchDelete(fd: fd, keys: key.pack(keys), count: keys.count)
        }
    }

    /// Pins the map at `path`; see `BPFMapHandle.pin(at:)`.
    public func pin(at path: String) throws { try handle.pin(at: path) }

    private func withElementBuffers<R>(
        _ element: Key, _ body: (UnsafeMutableRawBufferPointer, UnsafeMutableRawBufferPointer) throws -> R
    ) throws -> R {
        try withUnsafeTemporaryAllocation(byteCount: max(key.size, 1) + max(value.size, 1), alignment: 8) { buffer in
            let keyBuffer = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<max(key.size, 1)])
            let valueBuffer = UnsafeMutableRawBufferPointer(rebasing: buffer[max(key.size, 1)...])
            valueBuffer.initializeMemory(as: UInt8.self, repeating: 0)
            key.store(element, into: keyBuffer)
            return try body(keyBuffer, valueBuffer)
        }
    }
}
