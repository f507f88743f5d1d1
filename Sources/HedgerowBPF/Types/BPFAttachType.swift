import CLibBPF

/// A kernel attach type (`enum bpf_attach_type`): where a cgroup (or other hook) program runs.
public struct BPFAttachType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    init(_ type: bpf_attach_type) { rawValue = type.rawValue }

    public static let cgroupInetIngress = BPFAttachType(BPF_CGROUP_INET_INGRESS)
    public static let cgroupInetEgress = BPFAttachType(BPF_CGROUP_INET_EGRESS)
    public static let cgroupInet4Connect = BPFAttachType(BPF_CGROUP_INET4_CONNECT)
    public static let cgroupInet6Connect = BPFAttachType(BPF_CGROUP_INET6_CONNECT)
    public static let cgroupUDP4Sendmsg = BPFAttachType(BPF_CGROUP_UDP4_SENDMSG)
    public static let cgroupUDP6Sendmsg = BPFAttachType(BPF_CGROUP_UDP6_SENDMSG)
    public static let cgroupUDP4Recvmsg = BPFAttachType(BPF_CGROUP_UDP4_RECVMSG)
    public static let cgroupUDP6Recvmsg = BPFAttachType(BPF_CGROUP_UDP6_RECVMSG)
    public static let cgroupInet4GetPeername = BPFAttachType(BPF_CGROUP_INET4_GETPEERNAME)
    public static let cgroupInet6GetPeername = BPFAttachType(BPF_CGROUP_INET6_GETPEERNAME)

    /// libbpf's name ("cgroup_inet4_connect", ...), or the number.
    public var description: String {
        LibBPF.initialize()
        guard let name = libbpf_bpf_attach_type_str(bpf_attach_type(rawValue: rawValue)) else { return "attach type \(rawValue)" }
        return String(cString: name)
    }
}
