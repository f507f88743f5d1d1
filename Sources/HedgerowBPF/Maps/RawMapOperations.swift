import CLibBPF
import CLibBPFShim
import Glibc

/// Byte-level map operations shared by the typed views. `valueBufferSize` is the size of one
/// element's value as user space sees it (for per-CPU maps, all CPUs' values).
/// Every function takes the descriptor from inside `withDescriptor`.
extension BPFMapHandle {
    /// errno values meaning "this map type has no such batch operation": the kernel's
    /// internal ENOTSUPP (524) leaks out of bpf(); EOPNOTSUPP from other paths. The kernel
    /// answers so before touching any element.
    static func isUnsupported(_ status: Int32) -> Bool { status == -524 || status == -EOPNOTSUPP }

    /// Every key, back to back, in the kernel's iteration order (`bpf_map_get_next_key`).
    func rawKeys(fd: Int32) throws -> (bytes: [UInt8], count: Int) {
        let keySize = max(self.keySize, 1)
        var all: [UInt8] = []
        var current = [UInt8](repeating: 0, count: keySize)
        var next = [UInt8](repeating: 0, count: keySize)
        var count = 0
        // A hash map restarts iteration when the current key vanished concurrently, which
        // could repeat forever under heavy churn: bound the walk instead of spinning.
        let limit = max(maxEntries, 1) * 4
        while true {
            let status = count == 0 ? bpf_map_get_next_key(fd, nil, &next) : bpf_map_get_next_key(fd, current, &next)
            if status == -ENOENT { break }
            if status < 0 { throw error("iterate keys", status) }
            all.append(contentsOf: next)
            count += 1
            swap(&current, &next)
            if count > limit {
                throw BPFError(kind: .system, operation: "iterate keys", errno: EAGAIN, mapName: name,
                               detail: "the map kept changing during iteration (\(count) keys visited)")
            }
        }
        return (all, count)
    }

    /// All entries through `bpf_map_lookup_batch`, or nil when the kernel has no batch lookup
    /// for this map type.
    func rawBatchLookup(fd: Int32, valueBufferSize: Int, chunk initialChunk: Int = 256)
        throws -> (keys: [UInt8], values: [UInt8], count: Int)?
    {
        let keySize = max(self.keySize, 1)
        // The resume token is a key for arrays and a bucket number for hashes.
        let tokenSize = max(keySize, 8)
        var keys: [UInt8] = [], values: [UInt8] = []
        var total = 0
        var inToken: [UInt8]? = nil
        var outToken = [UInt8](repeating: 0, count: tokenSize)
        var chunk = max(initialChunk, 1)
        while true {
            var chunkKeys = [UInt8](repeating: 0, count: chunk * keySize)
            var chunkValues = [UInt8](repeating: 0, count: chunk * valueBufferSize)
            var count = UInt32(chunk)
            let status: Int32
            if var token = inToken {
                status = clibbpf_map_lookup_batch(fd, &token, &outToken, &chunkKeys, &chunkValues, &count, 0)
            } else {
                status = clibbpf_map_lookup_batch(fd, nil, &outToken, &chunkKeys, &chunkValues, &count, 0)
            }
            if status == 0 || status == -ENOENT {
                let read = Int(count)
                keys.append(contentsOf: chunkKeys.prefix(read * keySize))
                values.append(contentsOf: chunkValues.prefix(read * valueBufferSize))
                total += read
                if status == -ENOENT { return (keys, values, total) }
                inToken = outToken
                continue
            }
            // A hash bucket holds more elements than fit in one chunk: retry larger.
            if status == -ENOSPC, count == 0, chunk < 1 << 20 {
                chunk *= 2
                continue
            }
            if Self.isUnsupported(status), total == 0 { return nil }
            throw error("batch lookup", status)
        }
    }

    /// All entries: batched when the kernel can, otherwise key by key.
    func rawEntries(fd: Int32, valueBufferSize: Int) throws -> (keys: [UInt8], values: [UInt8], count: Int) {
        if let batched = try rawBatchLookup(fd: fd, valueBufferSize: valueBufferSize) { return batched }
        let (allKeys, keyCount) = try rawKeys(fd: fd)
        let keySize = max(self.keySize, 1)
        var keys: [UInt8] = [], values: [UInt8] = []
        var found = 0
        var value = [UInt8](repeating: 0, count: valueBufferSize)
        for index in 0..<keyCount {
            let key = Array(allKeys[index * keySize..<(index + 1) * keySize])
            let status = bpf_map_lookup_elem(fd, key, &value)
            if status == -ENOENT { continue }  // deleted since the key walk
            if status < 0 { throw error("lookup element", status) }
            keys.append(contentsOf: key)
            values.append(contentsOf: value)
            found += 1
        }
        return (keys, values, found)
    }

    /// Updates `count` packed elements: one `bpf_map_update_batch` call when the kernel has it
    /// for this type and `flags` is `.any` (batch updates take no other flag), else one by one.
    func rawBatchUpdate(fd: Int32, keys: [UInt8], values: [UInt8], count: Int, valueBufferSize: Int,
                        flags: BPFMapUpdateFlags) throws -> BPFMapBatchOutcome {
        guard count > 0 else { return BPFMapBatchOutcome(count: 0, usedKernelBatch: false) }
        if flags == .any {
            var processed = UInt32(count)
            let status = clibbpf_map_update_batch(fd, keys, values, &processed, 0)
            if status == 0 { return BPFMapBatchOutcome(count: Int(processed), usedKernelBatch: true) }
            if !Self.isUnsupported(status) {
                var failure = error("batch update", status)
                failure.detail = "\(processed) of \(count) elements were updated"
                throw failure
            }
        }
        let keySize = max(self.keySize, 1)
        for index in 0..<count {
            let status = keys.withUnsafeBytes { keyBuffer in
                values.withUnsafeBytes { valueBuffer in
                    bpf_map_update_elem(fd, keyBuffer.baseAddress! + index * keySize,
                                        valueBuffer.baseAddress! + index * valueBufferSize, flags.rawValue)
                }
            }
            if status < 0 {
                var failure = error("update element", status)
                failure.detail = "\(index) of \(count) elements were updated"
                throw failure
            }
        }
        return BPFMapBatchOutcome(count: count, usedKernelBatch: false)
    }

    /// Deletes `count` packed keys, stopping at the first missing key (ENOENT) as the kernel's
    /// batch delete does: batched when the kernel can, else one by one.
    func rawBatchDelete(fd: Int32, keys: [UInt8], count: Int) throws -> BPFMapBatchOutcome {
        guard count > 0 else { return BPFMapBatchOutcome(count: 0, usedKernelBatch: false) }
        var processed = UInt32(count)
        let status = clibbpf_map_delete_batch(fd, keys, &processed, 0)
        if status == 0 { return BPFMapBatchOutcome(count: Int(processed), usedKernelBatch: true) }
        if !Self.isUnsupported(status) {
            var failure = error("batch delete", status)
            failure.detail = "\(processed) of \(count) keys were deleted"
            throw failure
        }
        let keySize = max(self.keySize, 1)
        for index in 0..<count {
            let status = keys.withUnsafeBytes { bpf_map_delete_elem(fd, $0.baseAddress! + index * keySize) }
            if status < 0 {
                var failure = error("delete element", status)
                failure.detail = "\(index) of \(count) keys were deleted"
                throw failure
            }
        }
        return BPFMapBatchOutcome(count: count, usedKernelBatch: false)
    }
}

/// What a batch operation did: how many elements, and whether the kernel's batch call did it
/// (false: this map type has no batch operation and elements were handled one by one).
public struct BPFMapBatchOutcome: Sendable, Equatable {
    public var count: Int
    public var usedKernelBatch: Bool

    public init(count: Int, usedKernelBatch: Bool) {
        self.count = count
        self.usedKernelBatch = usedKernelBatch
    }
}
