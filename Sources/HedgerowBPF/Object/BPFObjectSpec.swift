import CLibBPF
import CLibBPFShim
import Glibc

/// What a BPF object file declares, read without loading anything into the kernel.
///
/// Reading a spec parses the ELF file (`bpf_object__open_file`) and closes it again: it needs
/// no privileges and leaves nothing behind.
public struct BPFObjectSpec: Sendable, Equatable {
    /// The object file's path.
    public var path: String
    /// The object's name (libbpf derives it from the file name).
    public var name: String
    public var maps: [BPFMapSpec]
    public var programs: [BPFProgramSpec]

    /// Reads the object file at `path`.
    public init(path: String) throws {
        let (object, log) = LibBPF.capturing { () -> (OpaquePointer?, Int32) in
            let object = clibbpf_object_open(path, nil, nil)
            return (object, object == nil ? Glibc.errno : 0)
        }
        guard let handle = object.0 else {
            throw BPFError(kind: .system, operation: "open object file", errno: object.1, path: path,
                           libbpfLog: log.nonEmpty)
        }
        defer { bpf_object__close(handle) }
        self.init(opened: handle, path: path)
    }

    /// Describes an object opened (and possibly loaded) by libbpf; does not take ownership.
    init(opened object: OpaquePointer, path: String) {
        self.path = path
        name = String(cString: bpf_object__name(object))
        var maps: [BPFMapSpec] = []
        var map = bpf_object__next_map(object, nil)
        while let current = map {
            maps.append(BPFMapSpec(current))
            map = bpf_object__next_map(object, current)
        }
        var programs: [BPFProgramSpec] = []
        var program = bpf_object__next_program(object, nil)
        while let current = program {
            programs.append(BPFProgramSpec(current))
            program = bpf_object__next_program(object, current)
        }
        self.maps = maps
        self.programs = programs
    }

    public func map(named name: String) -> BPFMapSpec? { maps.first { $0.name == name } }
    public func program(named name: String) -> BPFProgramSpec? { programs.first { $0.name == name } }
}

/// How libbpf pins a map declared in an object (`__uint(pinning, ...)`).
public enum BPFPinning: Sendable, Equatable {
    /// Not pinned: the map lives as long as something holds it.
    case none
    /// `LIBBPF_PIN_BY_NAME`: pinned at `<pin root>/<map name>` and reused from there on the next load.
    case byName
}

/// One map as an object file declares it.
public struct BPFMapSpec: Sendable, Equatable {
    public var name: String
    public var type: BPFMapType
    public var keySize: UInt32
    public var valueSize: UInt32
    public var maxEntries: UInt32
    /// `BPF_F_*` map flags.
    public var flags: UInt32
    public var pinning: BPFPinning
    /// A map libbpf made for global data (`.bss`, `.data`, `.rodata`), not declared in `.maps`.
    public var isInternal: Bool

    public init(name: String, type: BPFMapType, keySize: UInt32, valueSize: UInt32, maxEntries: UInt32,
                flags: UInt32 = 0, pinning: BPFPinning = .none, isInternal: Bool = false) {
        self.name = name
        self.type = type
        self.keySize = keySize
        self.valueSize = valueSize
        self.maxEntries = maxEntries
        self.flags = flags
        self.pinning = pinning
        self.isInternal = isInternal
    }

    init(_ map: OpaquePointer) {
        // libbpf gives a pin path (default root /sys/fs/bpf) exactly to maps declared
        // LIBBPF_PIN_BY_NAME: that is the only pinning mode it supports.
        self.init(
            name: String(cString: bpf_map__name(map)), type: BPFMapType(bpf_map__type(map)),
            keySize: bpf_map__key_size(map), valueSize: bpf_map__value_size(map),
            maxEntries: bpf_map__max_entries(map), flags: bpf_map__map_flags(map),
            pinning: bpf_map__pin_path(map) == nil ? .none : .byName, isInternal: bpf_map__is_internal(map))
    }
}

/// One program as an object file declares it.
public struct BPFProgramSpec: Sendable, Equatable {
    /// The C function's name.
    public var name: String
    /// The ELF section, which tells libbpf the program type (e.g. "tc", "cgroup/connect4").
    public var sectionName: String
    public var type: BPFProgramType
    /// For hook-specific types (cgroup, ...), where the program expects to be attached.
    public var expectedAttachType: BPFAttachType
    /// Instructions before loading (libbpf may still rewrite them).
    public var instructionCount: Int

    public init(name: String, sectionName: String, type: BPFProgramType, expectedAttachType: BPFAttachType,
                instructionCount: Int) {
        self.name = name
        self.sectionName = sectionName
        self.type = type
        self.expectedAttachType = expectedAttachType
        self.instructionCount = instructionCount
    }

    init(_ program: OpaquePointer) {
        self.init(
            name: String(cString: bpf_program__name(program)),
            sectionName: String(cString: bpf_program__section_name(program)),
            type: BPFProgramType(bpf_program__type(program)),
            expectedAttachType: BPFAttachType(bpf_program__expected_attach_type(program)),
            instructionCount: Int(bpf_program__insn_cnt(program)))
    }
}
