import CLibBPF

/// What the running kernel supports, probed by loading tiny maps and programs
/// (`libbpf_probe_bpf_map_type`, `libbpf_probe_bpf_prog_type`). Needs the privileges of a
/// loader; probing without them answers false. Each answer is computed once per process.
public enum BPFFeatures {
    /// `BPF_MAP_TYPE_RINGBUF` (Linux 5.8).
    public static let ringBuffer = probe(mapType: .ringBuffer)
    /// tc classifier programs (`BPF_PROG_TYPE_SCHED_CLS`).
    public static let tc = probe(programType: .schedCls)
    /// LPM trie maps.
    public static let lpmTrie = probe(mapType: .lpmTrie)
    /// LRU hash maps.
    public static let lruHash = probe(mapType: .lruHash)
    /// Per-CPU arrays.
    public static let perCPUArray = probe(mapType: .perCPUArray)
    /// cgroup socket-address programs (connect/sendmsg/recvmsg hooks).
    public static let cgroupSockAddr = probe(programType: .cgroupSockAddr)

    /// Whether the kernel can create maps of `type`; false also when it cannot tell.
    public static func probe(mapType type: BPFMapType) -> Bool {
        (try? supports(mapType: type)) ?? false
    }

    /// Whether the kernel can load programs of `type`; false also when it cannot tell.
    public static func probe(programType type: BPFProgramType) -> Bool {
        (try? supports(programType: type)) ?? false
    }

    /// Whether the kernel can create maps of `type`; throws when the probe itself failed.
    public static func supports(mapType type: BPFMapType) throws -> Bool {
        let (status, log) = LibBPF.capturing { libbpf_probe_bpf_map_type(bpf_map_type(rawValue: type.rawValue), nil) }
        if status < 0 { throw BPFError.system("probe map type \(type)", errno: status, libbpfLog: log) }
        return status == 1
    }

    /// Whether the kernel can load programs of `type`; throws when the probe itself failed.
    public static func supports(programType type: BPFProgramType) throws -> Bool {
        let (status, log) = LibBPF.capturing { libbpf_probe_bpf_prog_type(bpf_prog_type(rawValue: type.rawValue), nil) }
        if status < 0 { throw BPFError.system("probe program type \(type)", errno: status, libbpfLog: log) }
        return status == 1
    }
}
