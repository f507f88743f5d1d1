import CLibBPF
import Glibc

/// A program loaded into the kernel, holding one descriptor of its own.
///
/// File descriptor: owned by this instance, closed by `close()` or deinit. Closing it does not
/// detach the program from hooks it was attached to: tc filters and links hold their own
/// reference, and the program lives until the last reference goes.
public final class BPFProgram: Sendable {
    /// The C function's name (from a pinned program: the kernel's name, at most 15 characters).
    public let name: String
    /// The ELF section it came from; empty for a program opened from a pin.
    public let sectionName: String
    public let type: BPFProgramType
    /// The attach type the program was loaded for (cgroup hooks need it); for a program
    /// opened from a pin the kernel does not report it and this is `BPFAttachType(rawValue: 0)`.
    public let expectedAttachType: BPFAttachType

    let descriptor: OwnedFileDescriptor

    init(descriptor: OwnedFileDescriptor, spec: BPFProgramSpec) {
        self.descriptor = descriptor
        name = spec.name
        sectionName = spec.sectionName
        type = spec.type
        expectedAttachType = spec.expectedAttachType
    }

    /// Opens the program pinned at `path`.
    public static func openPinned(_ path: String) throws -> BPFProgram {
        LibBPF.initialize()
        let fd = bpf_obj_get(path)
        guard fd >= 0 else { throw BPFError.system("open pinned program", errno: fd, path: path) }
        let descriptor = OwnedFileDescriptor(fd)
        let info = try BPFProgramInfo(descriptor: fd, programName: nil)
        return BPFProgram(
            descriptor: descriptor,
            spec: BPFProgramSpec(name: info.name, sectionName: "", type: info.type,
                                 expectedAttachType: BPFAttachType(rawValue: 0), instructionCount: 0))
    }

    /// The kernel's view: id and tag identify the program across processes and restarts.
    public func info() throws -> BPFProgramInfo {
        try withDescriptor(operation: "read program info") { try BPFProgramInfo(descriptor: $0, programName: name) }
    }

    /// Pins the program at `path` (on bpffs) so it outlives this process.
    public func pin(at path: String) throws {
        try withDescriptor(operation: "pin program") { fd in
            let status = bpf_obj_pin(fd, path)
            if status < 0 { throw BPFError.system("pin program", errno: status, programName: name, path: path) }
        }
    }

    /// Closes this instance's descriptor. Idempotent.
    public func close() { descriptor.close() }

    /// Runs `body` with the program's descriptor, which stays open (and must not be closed or
    /// kept) for the duration of the call.
    public func withDescriptor<R>(operation: String, _ body: (Int32) throws -> R) throws -> R {
        try descriptor.withDescriptor(orThrow: .closed(operation, programName: name), body)
    }
}
