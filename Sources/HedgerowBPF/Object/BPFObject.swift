import CLibBPF
import CLibBPFShim
import Glibc
import Synchronization

/// A BPF object file loaded into the kernel: its maps created (or adopted from pins) and its
/// programs verified. Attach programs and use maps through the handles it hands out.
///
/// File descriptors: libbpf owns the object's program and map descriptors until `close()` or
/// deinit. `program(named:)` and `map(named:)` return handles owning *their own duplicate*
/// descriptor, so they stay valid after the object is closed and close independently. Closing
/// the object and every handle releases the kernel objects, except what something else holds:
/// pinned maps, attached programs (a tc filter or link keeps its program alive).
public final class BPFObject: Sendable {
    public struct Options: Sendable {
        /// Directory where maps declared `LIBBPF_PIN_BY_NAME` are pinned as `<pinRoot>/<map name>`.
        /// A map already pinned there (by an earlier run) is reused instead of created, so its
        /// contents survive a restart. Created if missing. `nil`: nothing is pinned, every load
        /// gets fresh maps (libbpf alone would pin into the shared /sys/fs/bpf).
        public var pinRoot: String?
        /// Overrides the object's name (default: derived from the file name).
        public var objectName: String?
        /// Per-map `max_entries` overrides applied before loading, by map name.
        public var maxEntries: [String: UInt32]
        /// How many bytes of libbpf's messages (and so of the verifier log) a failed load keeps.
        public var logCapacity: Int
        /// What to do with a pinned map whose layout the object no longer declares.
        public var incompatiblePins: IncompatiblePins

        public init(pinRoot: String? = nil, objectName: String? = nil, maxEntries: [String: UInt32] = [:],
                    logCapacity: Int = 64 * 1024, incompatiblePins: IncompatiblePins = .refuse) {
            self.pinRoot = pinRoot
            self.objectName = objectName
            self.maxEntries = maxEntries
            self.logCapacity = logCapacity
            self.incompatiblePins = incompatiblePins
        }
    }

    public enum IncompatiblePins: Sendable {
        /// Fail the load with an error naming each map and how its layouts differ.
        case refuse
        /// Unpin each such map (programs still using it keep it until they are replaced) and
        /// let the load create an empty one in its place; `replacedPins` says which.
        case replace
    }

    /// What the object declares (with `maxEntries` overrides applied; `pinning` as declared,
    /// even when no pin root made it moot).
    public let spec: BPFObjectSpec
    public let options: Options
    public var name: String { spec.name }
    /// Pinned maps whose layout had changed and that this load replaced with empty ones.
    public let replacedPins: [PinnedMapMismatch]

    /// libbpf's `struct bpf_object`, nil once closed.
    private let object: Mutex<UnsafeObject?>

    /// Opens the object file at `path` and loads it into the kernel.
    public init(path: String, options: Options = Options()) throws {
        if let pinRoot = options.pinRoot { try BPFPin.makeDirectory(pinRoot) }
        let (opened, openLog) = LibBPF.capturing(capacity: options.logCapacity) { () -> (OpaquePointer?, Int32) in
            let object = clibbpf_object_open(path, options.objectName, options.pinRoot)
            return (object, object == nil ? Glibc.errno : 0)
        }
        guard let handle = opened.0 else {
            throw BPFError(kind: .system, operation: "open object file", errno: opened.1, objectName: options.objectName,
                           path: path, libbpfLog: openLog.nonEmpty)
        }
        do {
            try Self.applyOverrides(options.maxEntries, to: handle, path: path)
            spec = BPFObjectSpec(opened: handle, path: path)
            if options.pinRoot == nil { try Self.disablePinning(of: handle, path: path) }
            replacedPins = try Self.resolveIncompatiblePins(spec, options: options)
            let objectName = String(cString: bpf_object__name(handle))
            let (status, loadLog) = LibBPF.capturing(capacity: options.logCapacity) { bpf_object__load(handle) }
            if status < 0 { throw Self.loadError(errno: status, objectName: objectName, path: path, log: loadLog) }
        } catch {
            bpf_object__close(handle)
            throw error
        }
        self.options = options
        object = Mutex(UnsafeObject(pointer: handle))
    }

    deinit { close() }

    /// Frees libbpf's object and closes the descriptors it owns. Handles obtained from it stay
    /// valid (they own duplicates). Idempotent.
    public func close() {
        object.withLock { object in
            if let pointer = object?.pointer { bpf_object__close(pointer) }
            object = nil
        }
    }

    /// The loaded program called `name` (the C function's name), with its own descriptor.
    public func program(named name: String) throws -> BPFProgram {
        try withObject(operation: "find program", programName: name) { object in
            guard let program = bpf_object__find_program_by_name(object, name) else {
                throw BPFError(kind: .notFound, operation: "find program", objectName: spec.name, programName: name,
                               detail: "the object has programs \(spec.programs.map(\.name))")
            }
            let fd = bpf_program__fd(program)
            guard fd >= 0 else {
                throw BPFError(kind: .notFound, operation: "find program", objectName: spec.name, programName: name,
                               detail: "the program was not loaded")
            }
            let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
            guard copy >= 0 else {
                throw BPFError.system("duplicate program descriptor", errno: Glibc.errno, programName: name)
            }
            return BPFProgram(descriptor: OwnedFileDescriptor(copy), spec: BPFProgramSpec(program))
        }
    }

    /// The map called `name` as declared in the object, with its own descriptor. Wrap it in a
    /// typed view: `BPFMap<Key, Value>(handle)` or `BPFPerCPUMap<Key, Value>(handle)`.
    public func map(named name: String) throws -> BPFMapHandle {
        let fd = try withObject(operation: "find map", mapName: name) { object -> Int32 in
            guard let map = bpf_object__find_map_by_name(object, name) else {
                throw BPFError(kind: .notFound, operation: "find map", objectName: spec.name, mapName: name,
                               detail: "the object has maps \(spec.maps.map(\.name))")
            }
            let copy = fcntl(bpf_map__fd(map), F_DUPFD_CLOEXEC, 0)
            guard copy >= 0 else { throw BPFError.system("duplicate map descriptor", errno: Glibc.errno, mapName: name) }
            return copy
        }
        return try BPFMapHandle(adopting: fd, name: name)
    }

    /// The pin path of each map declared `LIBBPF_PIN_BY_NAME`, by map name.
    public func pinPaths() throws -> [String: String] {
        try withObject(operation: "list pin paths") { object in
            var paths: [String: String] = [:]
            var map = bpf_object__next_map(object, nil)
            while let current = map {
                if let path = bpf_map__pin_path(current) { paths[String(cString: bpf_map__name(current))] = String(cString: path) }
                map = bpf_object__next_map(object, current)
            }
            return paths
        }
    }

    /// Removes the pins of the maps declared `LIBBPF_PIN_BY_NAME` (a missing pin is fine). The
    /// maps themselves live on while programs or descriptors use them.
    public func unpinMaps() throws {
        for (name, path) in try pinPaths() {
            do { try BPFPin.remove(path) } catch var error as BPFError {
                error.mapName = name
                throw error
            }
        }
    }

    private func withObject<R>(operation: String, programName: String? = nil, mapName: String? = nil,
                               _ body: (OpaquePointer) throws -> R) throws -> R {
        try object.withLock { object in
            guard let pointer = object?.pointer else {
                var error = BPFError.closed(operation, mapName: mapName, programName: programName)
                error.objectName = spec.name
                throw error
            }
            return try body(pointer)
        }
    }

    private static func resolveIncompatiblePins(_ spec: BPFObjectSpec, options: Options) throws -> [PinnedMapMismatch] {
        guard let pinRoot = options.pinRoot else { return [] }
        let mismatches = try PinnedMapLayoutCheck.mismatches(of: spec, pinRoot: pinRoot)
        guard !mismatches.isEmpty else { return [] }
        switch options.incompatiblePins {
        case .refuse:
            throw BPFError(
                kind: .sizeMismatch, operation: "reuse pinned maps", objectName: spec.name,
                mapName: mismatches.count == 1 ? mismatches[0].mapName : nil, path: pinRoot,
                detail: mismatches.map(\.description).joined(separator: "; "))
        case .replace:
            for mismatch in mismatches { try BPFPin.remove(mismatch.path) }
            return mismatches
        }
    }

    private static func applyOverrides(_ maxEntries: [String: UInt32], to object: OpaquePointer, path: String) throws {
        for (name, entries) in maxEntries {
            guard let map = bpf_object__find_map_by_name(object, name) else {
                throw BPFError(kind: .notFound, operation: "set max entries", mapName: name, path: path,
                               detail: "no such map in the object")
            }
            let status = bpf_map__set_max_entries(map, entries)
            if status < 0 { throw BPFError.system("set max entries", errno: status, mapName: name, path: path) }
        }
    }

    private static func disablePinning(of object: OpaquePointer, path: String) throws {
        var map = bpf_object__next_map(object, nil)
        while let current = map {
            if bpf_map__pin_path(current) != nil {
                let status = bpf_map__set_pin_path(current, nil)
                if status < 0 {
                    throw BPFError.system("disable pinning", errno: status,
                                          mapName: String(cString: bpf_map__name(current)), path: path)
                }
            }
            map = bpf_object__next_map(object, current)
        }
    }

    private static func loadError(errno: Int32, objectName: String, path: String, log: String) -> BPFError {
        let extract = VerifierLogExtract(libbpfOutput: log)
        return BPFError(
            kind: extract == nil ? .system : .verifierRejected, operation: "load object", errno: abs(errno),
            objectName: objectName, programName: extract?.programName, path: path,
            verifierLog: extract?.log, libbpfLog: log.nonEmpty)
    }
}

/// libbpf's object pointer, only ever used under `BPFObject`'s lock.
private struct UnsafeObject: @unchecked Sendable {
    let pointer: OpaquePointer
}
