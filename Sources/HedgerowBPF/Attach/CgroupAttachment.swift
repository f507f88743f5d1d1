import CLibBPF
import Glibc

extension BPFProgram {
    /// Attaches this cgroup program to the cgroup2 directory at `cgroupPath` through a BPF link
    /// (`bpf_link_create`, what `bpf_program__attach_cgroup` does), for `attachType` or, by
    /// default, the attach type the program was loaded for (from its section, e.g.
    /// "cgroup/connect4"). The program then runs for every process in that cgroup and below.
    ///
    /// The returned link owns the attachment: see `BPFLink` for when it ends (close, detach,
    /// or pin it to keep it past this process).
    public func attachToCgroup(at cgroupPath: String, attachType: BPFAttachType? = nil) throws -> BPFLink {
        let type = attachType ?? expectedAttachType
        let cgroup = open(cgroupPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard cgroup >= 0 else {
            throw BPFError.system("open cgroup", errno: Glibc.errno, programName: name, path: cgroupPath)
        }
        defer { Glibc.close(cgroup) }
        let (fd, log) = try withDescriptor(operation: "attach to cgroup") { programFD in
            LibBPF.capturing { bpf_link_create(programFD, cgroup, bpf_attach_type(rawValue: type.rawValue), nil) }
        }
        guard fd >= 0 else {
            var error = BPFError.system("attach to cgroup", errno: fd, programName: name, path: cgroupPath, libbpfLog: log)
            error.detail = "attach type \(type)"
            throw error
        }
        return BPFLink(adopting: fd)
    }
}
