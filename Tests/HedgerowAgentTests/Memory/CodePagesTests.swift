import Foundation
import Testing

@testable import HedgerowAgent

@Suite struct CodePagesTests {
    static let maps = """
        00400000-02f0b000 r-xp 00000000 fe:00 16222489                           /usr/bin/hagent
        02f0b000-03068000 r--p 02b0a000 fe:00 16222489                           /usr/bin/hagent
        03068000-05624000 rw-p 02c66000 fe:00 16222489                           /usr/bin/hagent (deleted)
        05624000-057ae000 rw-p 00000000 00:00 0
        7f649fa44000-7f649fb9a000 r-xp 00026000 fe:00 16222490                   /usr/lib/x86_64-linux-gnu/libc.so.6
        7f64a0000000-7f64a0010000 r-xp 00000000 fe:01 16222489                   /other/device/same/inode
        7f64a0200000-7f64a0210000 r--s 00000000 00:0f 1045                       anon_inode:bpf-map
        """

    @Test func theExecutableIsTheFileMappedAtTheEntryPoint() {
        let expected = [
            ExecutableMapping(start: 0x40_0000, end: 0x2f0_b000, writable: false),
            ExecutableMapping(start: 0x2f0_b000, end: 0x306_8000, writable: false),
            ExecutableMapping(start: 0x306_8000, end: 0x562_4000, writable: true),
        ]
        // Found by device and inode, whatever the path says (a replaced binary is "(deleted)").
        #expect(ExecutableMapping.parse(maps: Self.maps, entryPoint: 0x41_2340) == expected)
        #expect(expected[0].length == 0x2b0_b000)
        // The same inode on another device is another file.
        #expect(ExecutableMapping.parse(maps: Self.maps, entryPoint: 0x7f64_a000_0100)
            == [ExecutableMapping(start: 0x7f64_a000_0000, end: 0x7f64_a001_0000, writable: false)])
        // Anonymous memory, unmapped addresses and garbage find nothing.
        #expect(ExecutableMapping.parse(maps: Self.maps, entryPoint: 0x562_5000).isEmpty)
        #expect(ExecutableMapping.parse(maps: Self.maps, entryPoint: 0x10).isEmpty)
        #expect(ExecutableMapping.parse(maps: "garbage\n\n00400000 r-xp", entryPoint: 0x40_0000).isEmpty)
    }

    @Test func theEntryPointComesFromTheAuxiliaryVector() {
        func vector(_ pairs: [(UInt, UInt)]) -> [UInt8] {
            pairs.flatMap { [$0.0, $0.1] }.flatMap { word in withUnsafeBytes(of: word) { Array($0) } }
        }
        #expect(ExecutableMapping.entryPoint(auxv: vector([(33, 0x7fff_0000), (9, 0x41_2340), (0, 0)])) == 0x41_2340)
        #expect(ExecutableMapping.entryPoint(auxv: vector([(33, 0x7fff_0000), (0, 0), (9, 0x41_2340)])) == nil)
        #expect(ExecutableMapping.entryPoint(auxv: vector([(6, 4096)]) + [9, 0, 0]) == nil)
        // This process's own, from the kernel.
        let own = try? Data(contentsOf: URL(fileURLWithPath: "/proc/self/auxv"))
        #expect(own.flatMap { ExecutableMapping.entryPoint(auxv: $0) } != nil)
    }

    @Test func statmGivesResidentAndFileBackedBytes() {
        #expect(ProcessMemory.parse(statm: "120000 5600 4900 9000 0 3000 0\n", pageSize: 4096)
            == ProcessMemory.Resident(total: 5600 * 4096, fileBacked: 4900 * 4096))
        #expect(ProcessMemory.parse(statm: "120000", pageSize: 4096) == nil)
    }

    @Test func trimsFirstThenOnlyOnGrowthPastTheSettledValue() {
        var schedule = CodeTrimSchedule(threshold: 1 << 20)
        #expect(schedule.shouldTrim(fileBacked: 10 << 20))
        schedule.settle(fileBacked: 20 << 20)
        #expect(!schedule.shouldTrim(fileBacked: 20 << 20))
        #expect(!schedule.shouldTrim(fileBacked: (21 << 20) - 1))
        #expect(schedule.shouldTrim(fileBacked: (21 << 20) + 1))
        schedule.settle(fileBacked: 22 << 20)
        #expect(!schedule.shouldTrim(fileBacked: (22 << 20) + 4096))
    }

    /// The real thing, on this test process's own executable: its resident pages drop.
    @Test func trimmingUnmapsThisProcesssCodePages() throws {
        let before = try Self.residentExecutableKiB()
        #expect(before > 0)
        #expect(try CodePages.trim() >= 2)
        let after = try Self.residentExecutableKiB()
        #expect(after < before, "resident executable pages: \(before) KiB before, \(after) KiB after the trim")
    }

    /// Rss of this executable's mappings in /proc/self/smaps.
    static func residentExecutableKiB() throws -> Int {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var inExecutable = false
        var total = 0
        for line in try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), fields.count >= 5 {
                inExecutable = fields.count >= 6 && fields[5...].joined(separator: " ") == executable
            } else if inExecutable, fields.first == "Rss:", fields.count >= 2, let kib = Int(fields[1]) {
                total += kib
            }
        }
        return total
    }
}
