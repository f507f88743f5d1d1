import CLibBPF
import Glibc

/// The operations both typed views (`BPFMap`, `BPFPerCPUMap`) do the same way, because they
/// touch only keys.
extension BPFMapHandle {
    /// Deletes `key`. Returns false when it was not there (arrays cannot delete: EINVAL).
    func deleteElement<Key>(_ key: Key, layout: ElementLayout<Key>) throws -> Bool {
        try withDescriptor(operation: "delete element") { fd in
            try withUnsafeTemporaryAllocation(byteCount: max(layout.size, 1), alignment: 8) { keyBuffer in
                layout.store(key, into: keyBuffer)
                let status = bpf_map_delete_elem(fd, keyBuffer.baseAddress)
                if status == -ENOENT { return false }
                if status < 0 { throw error("delete element", status) }
                return true
            }
        }
    }

    /// Every key, in the kernel's iteration order.
    func keys<Key>(layout: ElementLayout<Key>) throws -> [Key] {
        try withDescriptor(operation: "iterate keys") { fd in
            let (bytes, count) = try rawKeys(fd: fd)
            return layout.unpack(bytes, count: count)
        }
    }
}
