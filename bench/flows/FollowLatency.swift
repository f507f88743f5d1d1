import Foundation
import Synchronization

/// How long after a pod sends a SYN `hflow observe --follow` prints the connection (issue 4:
/// within 100 ms). t0 is taken on the connecting thread just before a non-blocking connect()
/// in pod x/a (the kernel sends the SYN inside that call); t1 when hflow's line naming that
/// source port is read from its stdout. Connections are spaced by random pauses so they land
/// at every phase of the agent's 50 ms ring-buffer poll.
enum FollowLatency {
    static func measure(lab: BenchLab, connections: Int = 60) async throws -> [Double] {
        let endpoints = try await lab.endpoints()
        guard let serverIP = endpoints["x/b"]?.ips.first else { throw BenchFailure("lab has no x/b address") }
        let server = Process()
        server.executableURL = URL(fileURLWithPath: lab.binaries + "/hlab")
        server.arguments = ["exec", "--lab", lab.name, "x/b", "--", lab.binaries + "/hlab", "serve", "--tcp", "80"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }

        let follow = Process()
        follow.executableURL = URL(fileURLWithPath: lab.binaries + "/hflow")
        follow.arguments = ["observe", "--follow", "--server", "unix://" + lab.agentSocket, "--from-pod", "x/a", "--to-port", "80",
                            "--color", "never"]
        let output = Pipe()
        follow.standardOutput = output
        follow.standardError = FileHandle.nullDevice
        try follow.run()
        let lines = LineTimes(output.fileHandleForReading)
        defer {
            kill(follow.processIdentifier, SIGINT)
            follow.waitUntilExit()
        }

        let pod = lab.podNetns("x/a")
        // Until hflow's follow is subscribed, SYNs go unseen: probe until one is printed.
        var warmUpPort: UInt16 = 41_000
        while lines.firstSeen(port: warmUpPort) == nil {
            warmUpPort += 1
            guard warmUpPort < 41_200 else { throw BenchFailure("hflow --follow printed nothing for 200 connections") }
            let (socket, _) = try await openConnection(in: pod, from: warmUpPort, to: serverIP)
            try await Task.sleep(for: .milliseconds(100))
            close(socket)
        }

        var latencies: [Double] = []
        for index in 0..<connections {
            let port = UInt16(42_000 + index)
            let (socket, sentAt) = try await openConnection(in: pod, from: port, to: serverIP)
            let deadline = ContinuousClock.now + .seconds(2)
            var seenAt = lines.firstSeen(port: port)
            while seenAt == nil && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(1))
                seenAt = lines.firstSeen(port: port)
            }
            close(socket)
            guard let seenAt else { throw BenchFailure("hflow did not print the connection from port \(port) within 2 s") }
            latencies.append(milliseconds(seenAt - sentAt))
            try await Task.sleep(for: .milliseconds(Int.random(in: 5...60)))
        }
        return latencies
    }

    /// A non-blocking connect from `port` in the pod's namespace; returns the socket (the caller
    /// closes it) and the time just before the SYN went out.
    static func openConnection(in netns: String, from port: UInt16, to address: String) async throws -> (Int32, ContinuousClock.Instant) {
        try await NamespaceThread.run(in: netns) {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { throw BenchFailure("socket: errno \(errno)") }
            var reuse: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_port = port.bigEndian
            var remote = sockaddr_in()
            remote.sin_family = sa_family_t(AF_INET)
            remote.sin_port = UInt16(80).bigEndian
            inet_pton(AF_INET, address, &remote.sin_addr)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                close(fd)
                throw BenchFailure("bind port \(port): errno \(errno)")
            }
            let sentAt = ContinuousClock.now
            let status = withUnsafePointer(to: &remote) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard status == 0 || errno == EINPROGRESS else {
                close(fd)
                throw BenchFailure("connect to \(address):80: errno \(errno)")
            }
            return (fd, sentAt)
        }
    }
}

/// When hflow first printed a line about each x/a source port, read on a thread of its own.
final class LineTimes: Sendable {
    private let seen = Mutex<[UInt16: ContinuousClock.Instant]>([:])

    init(_ handle: FileHandle) {
        Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                let now = ContinuousClock.now
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    record(line, at: now)
                }
            }
        }.start()
    }

    /// Compact lines read "<time>: x/a:43210 (ID:256) -> x/b:80 ...".
    private func record(_ line: String, at time: ContinuousClock.Instant) {
        guard let range = line.range(of: "x/a:") else { return }
        let digits = line[range.upperBound...].prefix { $0.isNumber }
        guard let port = UInt16(digits) else { return }
        seen.withLock { if $0[port] == nil { $0[port] = time } }
    }

    func firstSeen(port: UInt16) -> ContinuousClock.Instant? { seen.withLock { $0[port] } }
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
}

func percentile(_ values: [Double], _ fraction: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
}
