import CLibBPF

/// A kernel map type (`enum bpf_map_type`). Unknown values round-trip unchanged.
public struct BPFMapType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    init(_ type: bpf_map_type) { rawValue = type.rawValue }

    public static let hash = BPFMapType(BPF_MAP_TYPE_HASH)
    public static let array = BPFMapType(BPF_MAP_TYPE_ARRAY)
    public static let perCPUHash = BPFMapType(BPF_MAP_TYPE_PERCPU_HASH)
    public static let perCPUArray = BPFMapType(BPF_MAP_TYPE_PERCPU_ARRAY)
    public static let lruHash = BPFMapType(BPF_MAP_TYPE_LRU_HASH)
    public static let lruPerCPUHash = BPFMapType(BPF_MAP_TYPE_LRU_PERCPU_HASH)
    public static let lpmTrie = BPFMapType(BPF_MAP_TYPE_LPM_TRIE)
    public static let arrayOfMaps = BPFMapType(BPF_MAP_TYPE_ARRAY_OF_MAPS)
    public static let hashOfMaps = BPFMapType(BPF_MAP_TYPE_HASH_OF_MAPS)
    public static let ringBuffer = BPFMapType(BPF_MAP_TYPE_RINGBUF)
    public static let programArray = BPFMapType(BPF_MAP_TYPE_PROG_ARRAY)

    /// Whether each element holds one value per possible CPU.
    public var isPerCPU: Bool {
        self == .perCPUHash || self == .perCPUArray || self == .lruPerCPUHash
            || rawValue == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE.rawValue
    }

    /// libbpf's name ("hash", "percpu_array", ...), or the number when libbpf does not know it.
    public var description: String {
        LibBPF.initialize()
        guard let name = libbpf_bpf_map_type_str(bpf_map_type(rawValue: rawValue)) else { return "map type \(rawValue)" }
        return String(cString: name)
    }
}
