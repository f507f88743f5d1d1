import CLibBPF
import Glibc

/// A BPF link: the kernel object that keeps a program attached to a hook (cgroup, netns, ...).
///
/// File descriptor and lifetime: this instance owns one descriptor of the link. The program
/// stays attached while any reference to the link exists: this descriptor, another process's,
/// or a pin. So `close()` (or release) detaches the program unless the link was pinned;
/// `detach()` detaches it at once even when pinned (the link object lingers, defunct, until
/// its last reference goes).
public final class BPFLink: Sendable {
    let descriptor: OwnedFileDescriptor

    /// Takes ownership of `fd`.
    init(adopting fd: Int32) { descriptor = OwnedFileDescriptor(fd) }

    /// Opens the link pinned at `path` (e.g. by a previous run of the agent).
    public static func openPinned(_ path: String) throws -> BPFLink {
        LibBPF.initialize()
        let fd = bpf_obj_get(path)
        guard fd >= 0 else { throw BPFError.system("open pinned link", errno: fd, path: path) }
        return BPFLink(adopting: fd)
    }

    /// Pins the link at `path` (on bpffs): the program then stays attached after this process
    /// exits, until the pin is removed (`BPFPin.remove`) and no descriptor is left.
    public func pin(at path: String) throws {
        try withDescriptor(operation: "pin link") { fd in
            let status = bpf_obj_pin(fd, path)
            if status < 0 { throw BPFError.system("pin link", errno: status, path: path) }
        }
    }

    /// The kernel's view of the link.
    public func info() throws -> BPFLinkInfo {
        try withDescriptor(operation: "read link info") { fd in
            var info = bpf_link_info()
            var length = UInt32(MemoryLayout<bpf_link_info>.size)
            let status = bpf_obj_get_info_by_fd(fd, &info, &length)
            if status < 0 { throw BPFError.system("read link info", errno: status) }
            return BPFLinkInfo(id: info.id, programID: info.prog_id, typeRawValue: info.type)
        }
    }

    /// Detaches the program from its hook now, whoever else holds the link (`bpf_link_detach`).
    public func detach() throws {
        try withDescriptor(operation: "detach link") { fd in
            let status = bpf_link_detach(fd)
            if status < 0 { throw BPFError.system("detach link", errno: status) }
        }
    }

    /// Closes this instance's descriptor; see the type's documentation for what that detaches.
    public func close() { descriptor.close() }

    public func withDescriptor<R>(operation: String, _ body: (Int32) throws -> R) throws -> R {
        try descriptor.withDescriptor(orThrow: .closed(operation), body)
    }
}

/// What the kernel reports about a link.
public struct BPFLinkInfo: Sendable, Equatable {
    public var id: UInt32
    /// The attached program's id; 0 once the link was detached.
    public var programID: UInt32
    /// `enum bpf_link_type` (e.g. 3 for cgroup).
    public var typeRawValue: UInt32
}
