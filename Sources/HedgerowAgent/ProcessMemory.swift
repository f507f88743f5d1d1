import Foundation

/// The agent's resident set size, from /proc/self/statm (pages), for `hagent status`.
enum ProcessMemory {
    static func residentBytes() -> UInt64 {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = UInt64(fields[1]) else { return 0 }
        return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
