import CLibBPF

/// What the kernel reports about a map (`bpf_obj_get_info_by_fd`).
public struct BPFMapInfo: Sendable, Equatable {
    public var id: UInt32
    public var type: BPFMapType
    public var keySize: UInt32
    public var valueSize: UInt32
    public var maxEntries: UInt32
    /// `BPF_F_*` map flags.
    public var flags: UInt32
    /// The kernel's name for the map (at most 15 characters).
    public var name: String

    init(descriptor fd: Int32, mapName: String?) throws {
        var info = bpf_map_info()
        var length = UInt32(MemoryLayout<bpf_map_info>.size)
        let status = bpf_obj_get_info_by_fd(fd, &info, &length)
        guard status == 0 else { throw BPFError.system("read map info", errno: status, mapName: mapName) }
        id = info.id
        type = BPFMapType(rawValue: info.type)
        keySize = info.key_size
        valueSize = info.value_size
        maxEntries = info.max_entries
        flags = info.map_flags
        name = withUnsafeBytes(of: info.name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
