import Foundation

/// The agent's resident set, from /proc/self/statm (in pages), for `hagent status` and for
/// deciding when code pages are worth trimming.
enum ProcessMemory {
    struct Resident: Equatable {
        /// All resident pages (VmRSS).
        var total: UInt64
        /// Resident pages backed by files (the executable, libraries) or shmem: statm's "shared".
        var fileBacked: UInt64
    }

    static func resident() -> Resident? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        return parse(statm: statm, pageSize: UInt64(sysconf(Int32(_SC_PAGESIZE))))
    }

    static func residentBytes() -> UInt64 { resident()?.total ?? 0 }

    /// statm: size resident shared text lib data dt, in pages.
    static func parse(statm: String, pageSize: UInt64) -> Resident? {
        let fields = statm.split(separator: " ")
        guard fields.count > 2, let resident = UInt64(fields[1]), let shared = UInt64(fields[2]) else { return nil }
        return Resident(total: resident * pageSize, fileBacked: shared * pageSize)
    }
}
