import CLibBPF
import Glibc

/// What the kernel reports about a loaded program (`bpf_obj_get_info_by_fd`).
///
/// `id` names one loaded instance; `tag` is a hash of its instructions, so two loads of the
/// same code share a tag but not an id. "Is the program attached there the one I loaded?"
/// compares ids; "is it the same code?" compares tags.
public struct BPFProgramInfo: Sendable, Equatable {
    public var id: UInt32
    public var tag: [UInt8]
    /// The kernel's name for the program (at most 15 characters).
    public var name: String
    public var type: BPFProgramType
    /// The ids of the maps the program uses.
    public var mapIDs: [UInt32]

    /// The tag as 16 hex digits, as `bpftool prog` shows it.
    public var tagString: String { tag.map { String($0, radix: 16).leftPadded(to: 2) }.joined() }

    /// Looks up the program with kernel id `id` (e.g. the one a tc query reported).
    public init(id: UInt32) throws {
        LibBPF.initialize()
        let fd = bpf_prog_get_fd_by_id(id)
        guard fd >= 0 else {
            throw BPFError(kind: .system, operation: "open program by id", errno: abs(fd), detail: "program id \(id)")
        }
        defer { Glibc.close(fd) }
        try self.init(descriptor: fd, programName: nil)
    }

    init(descriptor fd: Int32, programName: String?) throws {
        var maps = [UInt32](repeating: 0, count: 64)
        var info = bpf_prog_info()
        var length = UInt32(MemoryLayout<bpf_prog_info>.size)
        let status = maps.withUnsafeMutableBufferPointer { buffer -> Int32 in
            info.nr_map_ids = UInt32(buffer.count)
            info.map_ids = UInt64(UInt(bitPattern: buffer.baseAddress))
            return bpf_obj_get_info_by_fd(fd, &info, &length)
        }
        guard status == 0 else { throw BPFError.system("read program info", errno: status, programName: programName) }
        id = info.id
        tag = withUnsafeBytes(of: info.tag) { Array($0) }
        name = withUnsafeBytes(of: info.name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        type = BPFProgramType(rawValue: info.type)
        mapIDs = Array(maps.prefix(min(Int(info.nr_map_ids), maps.count)))
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
