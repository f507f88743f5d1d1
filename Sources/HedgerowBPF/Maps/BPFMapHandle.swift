import CLibBPF
import CLibBPFShim
import Glibc

/// An open map of any type, holding one descriptor of its own. Typed access goes through
/// `BPFMap<Key, Value>` or `BPFPerCPUMap<Key, Value>`, which wrap a handle.
///
/// File descriptor: owned by this instance and closed by `close()` or deinit. The map itself
/// lives on while a program uses it, it is pinned, or another descriptor is open.
public final class BPFMapHandle: Sendable {
    /// The map's name: as declared in the object file, or the kernel's (at most 15 characters).
    public let name: String
    /// The kernel's description, read once when the handle was made.
    public let info: BPFMapInfo

    public var type: BPFMapType { info.type }
    public var keySize: Int { Int(info.keySize) }
    public var valueSize: Int { Int(info.valueSize) }
    public var maxEntries: Int { Int(info.maxEntries) }

    let descriptor: OwnedFileDescriptor

    /// Takes ownership of `fd` (closing it if the map cannot be described).
    init(adopting fd: Int32, name: String?) throws {
        descriptor = OwnedFileDescriptor(fd)
        info = try BPFMapInfo(descriptor: fd, mapName: name)
        self.name = name ?? info.name
    }

    /// Creates a map that belongs to no object file (`bpf_map_create`); it lives while this
    /// handle (or a pin, or a program) holds it. `flags` are `BPF_F_*` (LPM tries need
    /// `BPFMapFlags.noPreallocation`).
    public static func create(type: BPFMapType, keySize: Int, valueSize: Int, maxEntries: Int,
                              flags: BPFMapFlags = [], name: String = "") throws -> BPFMapHandle {
        let (fd, log) = LibBPF.capturing {
            clibbpf_map_create(bpf_map_type(rawValue: type.rawValue), name.isEmpty ? nil : name, UInt32(keySize),
                               UInt32(valueSize), UInt32(maxEntries), flags.rawValue)
        }
        guard fd >= 0 else {
            var error = BPFError.system("create map", errno: fd, mapName: name.nonEmpty, libbpfLog: log)
            error.detail = "\(type), key \(keySize) B, value \(valueSize) B, \(maxEntries) entries"
            throw error
        }
        return try BPFMapHandle(adopting: fd, name: name.nonEmpty)
    }

    /// Opens the map pinned at `path`.
    public static func openPinned(_ path: String) throws -> BPFMapHandle {
        LibBPF.initialize()
        let fd = bpf_obj_get(path)
        guard fd >= 0 else { throw BPFError.system("open pinned map", errno: fd, path: path) }
        return try BPFMapHandle(adopting: fd, name: nil)
    }

    /// Opens the map with kernel id `id`.
    public static func open(id: UInt32) throws -> BPFMapHandle {
        LibBPF.initialize()
        let fd = bpf_map_get_fd_by_id(id)
        guard fd >= 0 else {
            throw BPFError(kind: .system, operation: "open map by id", errno: abs(fd), detail: "map id \(id)")
        }
        return try BPFMapHandle(adopting: fd, name: nil)
    }

    /// Pins the map at `path` (on bpffs) so it outlives this process; remove with `BPFPin.remove`.
    public func pin(at path: String) throws {
        try withDescriptor(operation: "pin map") { fd in
            let status = bpf_obj_pin(fd, path)
            if status < 0 { throw BPFError.system("pin map", errno: status, mapName: name, path: path) }
        }
    }

    /// Closes this handle's descriptor; typed views of it fail with `.closed` afterwards. Idempotent.
    public func close() { descriptor.close() }

    /// Runs `body` with the map's descriptor, which stays open (and must not be closed or kept)
    /// for the duration of the call.
    public func withDescriptor<R>(operation: String, _ body: (Int32) throws -> R) throws -> R {
        try descriptor.withDescriptor(orThrow: .closed(operation, mapName: name), body)
    }

    func error(_ operation: String, _ status: Int32) -> BPFError {
        BPFError.system(operation, errno: status, mapName: name)
    }
}

/// `BPF_F_*` flags for map creation.
public struct BPFMapFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `BPF_F_NO_PREALLOC`: allocate elements on demand (required by LPM tries).
    public static let noPreallocation = BPFMapFlags(rawValue: UInt32(BPF_F_NO_PREALLOC))
    /// `BPF_F_RDONLY_PROG`: programs may read but not write.
    public static let readOnlyForPrograms = BPFMapFlags(rawValue: UInt32(BPF_F_RDONLY_PROG))
    /// `BPF_F_WRONLY_PROG`: programs may write but not read.
    public static let writeOnlyForPrograms = BPFMapFlags(rawValue: UInt32(BPF_F_WRONLY_PROG))
}

/// How an update treats an existing element (`BPF_ANY`, `BPF_NOEXIST`, `BPF_EXIST`).
public enum BPFMapUpdateFlags: UInt64, Sendable {
    /// Create or replace.
    case any = 0
    /// Create only; fails with EEXIST when the key is present.
    case noExist = 1
    /// Replace only; fails with ENOENT when the key is absent.
    case exist = 2
}
