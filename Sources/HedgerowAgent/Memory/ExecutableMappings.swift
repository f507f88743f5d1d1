/// The mappings of the executable in a /proc/PID/maps listing: those with the device and inode
/// of the mapping that holds the program's entry point. Neither the path nor fstat of
/// /proc/self/exe would do everywhere: a replaced binary's path reads "... (deleted)", and for
/// an overlayfs file (a container image) kernels before 6.8 list the underlying file's device,
/// not the one fstat reports.
struct ExecutableMapping: Equatable {
    var start: UInt
    var end: UInt
    var writable: Bool

    var length: Int { Int(end - start) }

    /// Lines look like `00400000-02f0b000 r-xp 00000000 fe:00 16222489    /usr/bin/hagent`.
    static func parse(maps: String, entryPoint: UInt) -> [ExecutableMapping] {
        let lines = maps.split(separator: "\n").compactMap(Line.init)
        guard let entry = lines.first(where: { $0.start <= entryPoint && entryPoint < $0.end }), entry.inode != "0" else { return [] }
        return lines.filter { $0.device == entry.device && $0.inode == entry.inode }
            .map { ExecutableMapping(start: $0.start, end: $0.end, writable: $0.writable) }
    }

    /// AT_ENTRY from an auxiliary vector (/proc/self/auxv: native-endian word pairs of type and
    /// value, ending with AT_NULL).
    static func entryPoint(auxv: some Collection<UInt8>) -> UInt? {
        let atEntry: UInt = 9
        let bytes = Array(auxv)
        let word = MemoryLayout<UInt>.size
        var offset = 0
        while offset + 2 * word <= bytes.count {
            let (type, value) = bytes.withUnsafeBytes {
                ($0.loadUnaligned(fromByteOffset: offset, as: UInt.self), $0.loadUnaligned(fromByteOffset: offset + word, as: UInt.self))
            }
            if type == 0 { return nil }
            if type == atEntry { return value }
            offset += 2 * word
        }
        return nil
    }

    private struct Line {
        var start: UInt
        var end: UInt
        var writable: Bool
        var device: Substring
        var inode: Substring

        init?(_ text: Substring) {
            let fields = text.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count >= 5 else { return nil }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16), end > start
            else { return nil }
            (self.start, self.end, writable, device, inode) = (start, end, fields[1].contains("w"), fields[3], fields[4])
        }
    }
}
