import Glibc
import HedgerowBPF

/// The socket-LB programs' links to one cgroup, pinned under
/// `<pin directory>/sock-lb/<cgroup id>/<program>`: the pins keep the programs attached while no
/// agent runs, and a restarted agent finds them there.
struct SocketLBAttachment {
    let cgroupPath: String
    let directory: String

    init(cgroupPath: String, pinDirectory: String) throws {
        var status = stat()
        guard stat(cgroupPath, &status) == 0 else {
            throw ServiceDatapathError("cgroup \(cgroupPath): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else { throw ServiceDatapathError("cgroup \(cgroupPath) is not a directory") }
        self.cgroupPath = cgroupPath
        // The cgroup's inode number is its cgroup id: distinct per cgroup, stable while it exists.
        directory = "\(pinDirectory)/sock-lb/\(status.st_ino)"
    }

    func pinPath(_ program: BPFProgram) -> String { "\(directory)/\(program.name)" }

    /// Attaches `program` (or keeps or updates the link a previous agent pinned).
    func attach(_ program: BPFProgram) throws -> InstallOutcome {
        let path = pinPath(program)
        if let existing = try? BPFLink.openPinned(path) {
            defer { existing.close() }
            let info = try existing.info()
            if info.programID != 0 {
                if try BPFProgramInfo(id: info.programID).tag == program.info().tag { return .adopted }
                try existing.update(to: program)
                return .replaced
            }
            // Detached by someone (the link is defunct): start over.
            try BPFPin.remove(path)
        }
        try BPFPin.makeDirectory(directory)
        let link = try program.attachToCgroup(at: cgroupPath)
        defer { link.close() }  // the pin holds the attachment from here on
        try link.pin(at: path)
        return .attached
    }

    /// Detaches the program pinned for `name` and removes the pin; false when none was pinned.
    func detach(programNamed name: String) throws -> Bool {
        let path = "\(directory)/\(name)"
        guard let link = try? BPFLink.openPinned(path) else { return false }
        defer { link.close() }
        try link.detach()
        try BPFPin.remove(path)
        return true
    }

    func removeDirectory() { rmdir(directory) }
}

public struct ServiceDatapathError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
