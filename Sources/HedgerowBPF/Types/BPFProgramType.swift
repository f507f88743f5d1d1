import CLibBPF

/// A kernel program type (`enum bpf_prog_type`). Unknown values round-trip unchanged.
public struct BPFProgramType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    init(_ type: bpf_prog_type) { rawValue = type.rawValue }

    /// tc classifier (`SEC("tc")`).
    public static let schedCls = BPFProgramType(BPF_PROG_TYPE_SCHED_CLS)
    public static let schedAct = BPFProgramType(BPF_PROG_TYPE_SCHED_ACT)
    public static let xdp = BPFProgramType(BPF_PROG_TYPE_XDP)
    public static let socketFilter = BPFProgramType(BPF_PROG_TYPE_SOCKET_FILTER)
    public static let cgroupSKB = BPFProgramType(BPF_PROG_TYPE_CGROUP_SKB)
    public static let cgroupSock = BPFProgramType(BPF_PROG_TYPE_CGROUP_SOCK)
    public static let cgroupSockAddr = BPFProgramType(BPF_PROG_TYPE_CGROUP_SOCK_ADDR)

    /// libbpf's name ("sched_cls", "cgroup_sock_addr", ...), or the number.
    public var description: String {
        LibBPF.initialize()
        guard let name = libbpf_bpf_prog_type_str(bpf_prog_type(rawValue: rawValue)) else { return "program type \(rawValue)" }
        return String(cString: name)
    }
}
