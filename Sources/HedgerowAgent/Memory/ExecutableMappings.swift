/// The mappings of one file in a /proc/PID/maps listing, recognised by device and inode rather
/// than by path: the path of a replaced executable reads "... (deleted)", its inode does not change.
struct ExecutableMapping: Equatable {
    var start: UInt
    var end: UInt
    var writable: Bool

    var length: Int { Int(end - start) }

    /// Lines look like `00400000-02f0b000 r-xp 00000000 fe:00 16222489    /usr/bin/hagent`; the
    /// device is major:minor in hex, the inode decimal.
    static func parse(maps: String, deviceMajor: UInt, deviceMinor: UInt, inode: UInt64) -> [ExecutableMapping] {
        maps.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count >= 5, UInt64(fields[4]) == inode else { return nil }
            let device = fields[3].split(separator: ":")
            let range = fields[0].split(separator: "-")
            guard device.count == 2, UInt(device[0], radix: 16) == deviceMajor, UInt(device[1], radix: 16) == deviceMinor,
                range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16), end > start
            else { return nil }
            return ExecutableMapping(start: start, end: end, writable: fields[1].contains("w"))
        }
    }
}
