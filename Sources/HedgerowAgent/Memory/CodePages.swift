import Foundation

/// Returns the agent's own code pages to the kernel, keeping only those it runs again.
///
/// Each code fault maps a 64 KB window of the neighbours already in the page cache, and a
/// disk that reads ahead far (8 MB on the development VM) caches the whole executable. So
/// code that ran once (start-up, the first endpoints, a policy burst) and everything next to it
/// stays mapped: 22 MB of a 35 MB `.text` where about 8 MB is ever touched. Unmapping and
/// dropping it, with read-ahead off for these mappings, lets the next faults bring back single
/// pages of the code that is still in use. See ARCHITECTURE decision 42.
enum CodePages {
    /// Unmaps the executable's read-only mappings (`MADV_PAGEOUT`), turns read-ahead off for all
    /// of them (`MADV_RANDOM`), and drops the executable's unmapped page cache (`FADV_DONTNEED`).
    /// Returns the number of mappings handled.
    @discardableResult
    static func trim() throws -> Int {
        let maps = try String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
        let auxv = try Data(contentsOf: URL(fileURLWithPath: "/proc/self/auxv"))
        guard let entryPoint = ExecutableMapping.entryPoint(auxv: auxv) else { throw AgentError("/proc/self/auxv has no AT_ENTRY") }
        let mappings = ExecutableMapping.parse(maps: maps, entryPoint: entryPoint)
        guard !mappings.isEmpty else { throw AgentError("/proc/self/maps lists no file mapping at the entry point") }
        for mapping in mappings {
            guard let address = UnsafeMutableRawPointer(bitPattern: mapping.start) else { continue }
            try advise(address, mapping.length, MADV_RANDOM, "MADV_RANDOM")
            // Written pages of the data mapping are private copies: paging them out would swap.
            if !mapping.writable { try advise(address, mapping.length, MADV_PAGEOUT, "MADV_PAGEOUT") }
        }
        try dropUnmappedCache()
        return mappings.count
    }

    /// Drops the executable's page cache that nothing maps: what was just paged out, and what
    /// another run of the same binary (`hagent status`) read in. Left cached, it is what the
    /// agent's next code faults would map as neighbours.
    static func dropUnmappedCache() throws {
        let executable = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)
        guard executable >= 0 else { throw AgentError("open /proc/self/exe: \(String(cString: strerror(errno)))") }
        defer { close(executable) }
        let result = posix_fadvise(executable, 0, 0, POSIX_FADV_DONTNEED)
        guard result == 0 else { throw AgentError("posix_fadvise(DONTNEED) on the executable: \(String(cString: strerror(result)))") }
    }

    private static func advise(_ address: UnsafeMutableRawPointer, _ length: Int, _ advice: Int32, _ name: String) throws {
        guard madvise(address, length, advice) == 0 else {
            throw AgentError("madvise(\(name)) on the executable's mapping at \(address): \(String(cString: strerror(errno)))")
        }
    }
}
