import Foundation

/// The backend server and the client, as child processes of the benchmark (the same
/// executable, other arguments): the client must sit in a cgroup for socket LB, which a thread
/// of the benchmark cannot join alone, and must be the same code on both sides.
///
/// Protocol: the client connects, sends `ping\n`; the server answers `ok <address it was
/// reached at>\n` and closes first (TIME_WAIT stays on the server's side, so the client never
/// runs out of ports).
enum Traffic {
    static let request = Array("ping\n".utf8)

    /// `serve <netns> <port>`: answers on every local address of the namespace, on two threads.
    static func serve(netns: String, port: UInt16) throws -> Never {
        try NamespaceThread.enter(netns)
        dieWithParent()
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = socketAddress("0.0.0.0", port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 4096) == 0 else { throw BenchError("bind/listen :\(port): \(String(cString: strerror(errno)))") }
        FileHandle.standardOutput.write(Data("ready\n".utf8))
        let worker = Thread { acceptLoop(listener) }
        worker.start()
        acceptLoop(listener)
    }

    private static func acceptLoop(_ listener: Int32) -> Never {
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            if read(connection, &buffer, buffer.count) > 0 {
                var local = sockaddr_in()
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                _ = withUnsafeMutablePointer(to: &local) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(connection, $0, &length) }
                }
                let reply = Array("ok \(addressString(local.sin_addr))\n".utf8)
                _ = write(connection, reply, reply.count)
            }
            close(connection)
        }
    }

    struct ClientResult: Codable {
        var connectP50Microseconds: Double
        var connectP99Microseconds: Double
        var requestsPerSecond: Double
        var requests: Int
        /// Connects or requests that failed, or answers from an address that is no backend.
        var failures: Int
        var backendsSeen: [String]
    }

    /// `client <netns> <cgroup|-> <vip> <port> <connects> <seconds> <backend,...>`: joins the
    /// cgroup (when given) before its first socket, then the namespace; measures `connects`
    /// sequential connect() calls after a warm-up, in five rounds, then as many short requests as fit in
    /// `seconds`; prints one JSON line.
    static func client(netns: String, cgroup: String?, vip: String, port: UInt16, connects: Int, seconds: Double,
                       backends: Set<String>) throws -> Never {
        dieWithParent()
        if let cgroup {
            // Sockets belong to the cgroup of the process that creates them.
            try String(getpid()).write(toFile: cgroup + "/cgroup.procs", atomically: false, encoding: .utf8)
        }
        try NamespaceThread.enter(netns)
        let target = socketAddress(vip, port)
        var failures = 0
        var seen = Set<String>()

        for _ in 0..<max(connects / 10, 50) { if let fd = try? connectOnce(target) { reset(fd) } else { failures += 1 } }
        // In rounds: p50 is the median of the rounds' medians, so a burst of load from other
        // work on the machine moves one round, not the figure; p99 is over all samples.
        var samples: [Double] = []
        var roundMedians: [Double] = []
        samples.reserveCapacity(connects)
        let rounds = 5
        for _ in 0..<rounds {
            var round: [Double] = []
            for _ in 0..<max(1, connects / rounds) {
                let start = DispatchTime.now().uptimeNanoseconds
                guard let fd = try? connectOnce(target) else { failures += 1; continue }
                round.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
                reset(fd)
            }
            samples += round
            roundMedians.append(percentile(round.sorted(), 0.5))
        }

        var requests = 0
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        var now = DispatchTime.now().uptimeNanoseconds
        let started = now
        while now < deadline {
            if let answer = request(target), answer.hasPrefix("ok ") {
                let backend = String(answer.dropFirst(3))
                if backends.contains(backend) { requests += 1 } else { failures += 1 }
                seen.insert(backend)
            } else {
                failures += 1
            }
            now = DispatchTime.now().uptimeNanoseconds
        }
        samples.sort()
        let result = ClientResult(
            connectP50Microseconds: percentile(roundMedians.sorted(), 0.50), connectP99Microseconds: percentile(samples, 0.99),
            requestsPerSecond: Double(requests) / (Double(now - started) / 1e9), requests: requests, failures: failures,
            backendsSeen: seen.sorted())
        FileHandle.standardOutput.write(try JSONEncoder().encode(result) + Data("\n".utf8))
        exit(0)
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    /// A blocking connect with a 2 s limit (an untranslated VIP would otherwise retry SYNs for minutes).
    private static func connectOnce(_ target: sockaddr_in) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        var limit = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = target
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw BenchError("connect: \(String(cString: strerror(errno)))")
        }
        return fd
    }

    /// Closes with RST (linger 0): the latency loop leaves no TIME_WAIT behind.
    private static func reset(_ fd: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(fd)
    }

    /// One short connection: connect, ping, read the answer to EOF, close. nil on any failure.
    private static func request(_ target: sockaddr_in) -> String? {
        guard let fd = try? connectOnce(target) else { return nil }
        defer { close(fd) }
        guard write(fd, request, request.count) == request.count else { return nil }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func socketAddress(_ ip: String, _ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, ip, &address.sin_addr)
        return address
    }

    static func addressString(_ address: in_addr) -> String {
        var copy = address
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        inet_ntop(AF_INET, &copy, &text, socklen_t(text.count))
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A child left behind by a crashed benchmark would keep a namespace busy.
    private static func dieWithParent() {
        // prctl is variadic, so Swift cannot call it directly.
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") else { return }
        _ = unsafeBitCast(symbol, to: Prctl.self)(1 /* PR_SET_PDEATHSIG */, UInt(SIGKILL), 0, 0, 0)
    }
}
