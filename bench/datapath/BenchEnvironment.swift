import Foundation
import HedgerowBPF

/// What the benchmark sets up on the machine, and takes down again: a veth pair (its ifindex
/// is what the test runs present to the programs), a pin directory, kernel BPF statistics.
final class BenchEnvironment {
    let linkName: String
    let pinRoot: String
    let objectDirectory: String
    private let previousStats: String

    init() throws {
        guard geteuid() == 0 else { throw BenchError("run as root: the benchmark loads BPF programs") }
        let suffix = String(getpid(), radix: 36)
        linkName = "hbench\(suffix)"
        pinRoot = "/sys/fs/bpf/hbench-\(suffix)"
        objectDirectory = ProcessInfo.processInfo.environment["HEDGEROW_BPF_DIR"]
            ?? FileManager.default.currentDirectoryPath + "/.build/bpf"
        guard FileManager.default.fileExists(atPath: objectDirectory + "/endpoint.bpf.o") else {
            throw BenchError("no \(objectDirectory)/endpoint.bpf.o: run `make bpf` or set HEDGEROW_BPF_DIR")
        }
        previousStats = try Self.sh("sysctl", "-n", "kernel.bpf_stats_enabled").trimmingCharacters(in: .whitespacesAndNewlines)
        // A veth pair left down: no traffic, just an interface index (this kernel has no dummy links).
        try Self.sh("ip", "link", "add", linkName, "type", "veth", "peer", "name", linkName + "p")
        // run_time_ns / run_cnt are only kept while statistics are on.
        try Self.sh("sysctl", "-q", "-w", "kernel.bpf_stats_enabled=1")
    }

    var interfaceIndex: Int32 { Int32(if_nametoindex(linkName)) }

    func tearDown() {
        _ = try? Self.sh("sysctl", "-q", "-w", "kernel.bpf_stats_enabled=\(previousStats)")
        _ = try? Self.sh("ip", "link", "delete", linkName)
        try? BPFPin.removeTree(pinRoot)
    }

    /// run_time_ns and run_cnt of a loaded program, from bpftool (the kernel's own statistics).
    static func stats(programID: UInt32) throws -> (runTime: UInt64, runs: UInt64) {
        let json = try sh("bpftool", "prog", "show", "id", String(programID), "--json")
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw BenchError("bpftool printed no object for program \(programID)")
        }
        let time = (object["run_time_ns"] as? NSNumber)?.uint64Value ?? 0
        let runs = (object["run_cnt"] as? NSNumber)?.uint64Value ?? 0
        return (time, runs)
    }

    @discardableResult
    static func sh(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("`\(arguments.joined(separator: " "))` exited \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
