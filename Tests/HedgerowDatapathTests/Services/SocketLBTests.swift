import Foundation
import HedgerowBPF
import HedgerowCore
import HedgerowTestSupport
import Testing

@testable import HedgerowDatapath

/// Socket-level load balancing with real sockets: clients in a cgroup with the programs attached
/// connect to a VIP that exists nowhere and reach the servers on the backend addresses.
@Suite("Socket-level service translation", .serialized) struct SocketLBTests {
    typealias F = SocketLBFixture
    static let econnrefused: Int32 = 111
    static let enetunreach: Int32 = 101

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(2))) func tcpReachesEveryBackendAndSeesTheVIP() throws {
        try Privileged.require()
        let fixture = try F()
        defer { fixture.destroy() }
        try fixture.apply([F.frontend(F.vip4(), 80, id: 1, backends: F.backends4)])

        let attempts = try fixture.client("tcp", F.vip4(), 80, count: 60)
        #expect(attempts.count == 60)
        #expect(attempts.allSatisfy { $0.errno == nil })
        let counts = Dictionary(grouping: attempts.compactMap(\.backend), by: { $0 }).mapValues(\.count)
        #expect(Set(counts.keys) == Set(F.backends4), "backends reached: \(counts)")
        #expect(Set(attempts.compactMap(\.peer)) == ["\(F.vip4()) 80"])

        // Outside the cgroup nothing is translated: the VIP has no route in the namespace.
        let outside = try fixture.client("tcp", F.vip4(), 80, count: 1, inCgroup: false)
        #expect(outside == [F.Attempt(errno: Self.enetunreach)])
        // A port the service does not have is left alone too.
        #expect(try fixture.client("tcp", F.vip4(), 81, count: 1) == [F.Attempt(errno: Self.enetunreach)])
    }

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(2))) func udpRepliesComeFromTheVIP() throws {
        try Privileged.require()
        let fixture = try F()
        defer { fixture.destroy() }
        try fixture.apply([F.frontend(F.vip4(53), 53, .udp, id: 2, backends: F.backends4)])

        let attempts = try fixture.client("udp", F.vip4(53), 53, count: 40)
        #expect(attempts.count == 40 && attempts.allSatisfy { $0.errno == nil })
        #expect(Set(attempts.compactMap(\.backend)) == Set(F.backends4))
        #expect(Set(attempts.compactMap(\.peer)) == ["\(F.vip4(53)) 53"])
        #expect(try fixture.datapath.translatedSocketCount() >= 1)
    }

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(2))) func ipv6ServiceTranslatesBothWays() throws {
        try Privileged.require()
        let fixture = try F()
        defer { fixture.destroy() }
        let vip = "fd00:96::10"
        try fixture.apply([F.frontend(vip, 80, id: 3, backends: F.backends6), F.frontend(vip, 53, .udp, id: 4, backends: F.backends6)])

        let tcp = try fixture.client("tcp", vip, 80, count: 30)
        #expect(Set(tcp.compactMap(\.backend)) == Set(F.backends6))
        #expect(Set(tcp.compactMap(\.peer)) == ["\(vip) 80"])
        let udp = try fixture.client("udp", vip, 53, count: 20)
        #expect(udp.allSatisfy { $0.peer == "\(vip) 53" && $0.backend != nil })

        // A dual-stack socket naming an IPv4 frontend as ::ffff:VIP reaches its IPv4 backends.
        try fixture.apply([F.frontend(vip, 80, id: 3, backends: F.backends6), F.frontend(F.vip4(), 80, id: 5, backends: F.backends4)])
        let mapped = try fixture.client("tcp", "::ffff:" + F.vip4(), 80, count: 20)
        #expect(Set(mapped.compactMap(\.backend)).isSubset(of: Set(F.backends4)) && mapped.count == 20)
        #expect(Set(mapped.compactMap(\.peer)) == ["::ffff:\(F.vip4()) 80"])
    }

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(2))) func affinityPinsTheClient() throws {
        try Privileged.require()
        let fixture = try F()
        defer { fixture.destroy() }
        try fixture.apply([F.frontend(F.vip4(), 80, id: 5, backends: F.backends4, affinity: 600)])

        let first = try fixture.client("tcp", F.vip4(), 80, count: 20)
        let second = try fixture.client("tcp", F.vip4(), 80, count: 20)
        let backends = Set((first + second).compactMap(\.backend))
        #expect(backends.count == 1 && (first + second).count == 40, "one backend for one client: \(backends)")
        let pins = try fixture.datapath.affinityPins()
        #expect(pins.count == 1 && pins.first?.serviceID == 5)

        // The pinned backend leaves the service: the client moves, and stays on its new backend.
        let pinned = backends.first!
        try fixture.apply([F.frontend(F.vip4(), 80, id: 5, backends: F.backends4.filter { $0 != pinned }, affinity: 600)])
        let moved = try fixture.client("tcp", F.vip4(), 80, count: 20)
        let after = Set(moved.compactMap(\.backend))
        #expect(after.count == 1 && !after.contains(pinned), "after the pinned backend left: \(after)")
    }

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(2))) func serviceWithoutBackendsFailsAtOnce() throws {
        try Privileged.require()
        let fixture = try F()
        defer { fixture.destroy() }
        try fixture.apply([F.frontend(F.vip4(), 80, id: 6, backends: []), F.frontend(F.vip4(53), 53, .udp, id: 7, backends: [])])

        // connect() and sendto() fail with ECONNREFUSED, not after a timeout.
        #expect(try fixture.client("tcp", F.vip4(), 80, count: 3) == Array(repeating: F.Attempt(errno: Self.econnrefused), count: 3))
        #expect(try fixture.client("udp", F.vip4(53), 53, count: 2) == Array(repeating: F.Attempt(errno: Self.econnrefused), count: 2))

        // Backends arrive: the same frontend works.
        try fixture.apply([F.frontend(F.vip4(), 80, id: 6, backends: [F.backends4[0]]), F.frontend(F.vip4(53), 53, .udp, id: 7, backends: [])])
        #expect(try fixture.client("tcp", F.vip4(), 80, count: 2).map(\.backend) == [F.backends4[0], F.backends4[0]])
    }

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(2))) func changingBackendsMovesNewConnectionsOnly() throws {
        try Privileged.require()
        let fixture = try F()
        defer { fixture.destroy() }
        let old = F.backends4[0], new = Array(F.backends4.dropFirst())
        try fixture.apply([F.frontend(F.vip4(), 80, id: 8, backends: [old])])

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = fixture.command("hold", F.vip4(), 80, count: 20)
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) }; process.waitUntilExit() }
        let reader = LineReader(output.fileHandleForReading)
        let established = try F.decode(reader.line() ?? "")
        #expect(established.first?.backend == old)

        try fixture.apply([F.frontend(F.vip4(), 80, id: 8, backends: new)])
        input.fileHandleForWriting.write(Data("go\n".utf8))
        var rest: [F.Attempt] = []
        while let line = reader.line() { rest += try F.decode(line) }
        process.waitUntilExit()
        // The open connection still talks to its backend; every new one goes to the new set.
        #expect(rest.first?.echo == "\(old) still there")
        let fresh = rest.dropFirst().compactMap(\.backend)
        #expect(fresh.count == 20 && Set(fresh).isSubset(of: Set(new)) && Set(fresh).count == 2, "new connections: \(fresh)")
    }

    @Test(.enabled(if: Privileged.shouldRun), .timeLimit(.minutes(2))) func restartedAgentAdoptsMapsAndPrograms() throws {
        try Privileged.require()
        let fixture = try F()
        defer { fixture.destroy() }
        let model = ServiceModel(frontends: [F.frontend(F.vip4(), 80, id: 9, backends: F.backends4)])
        try fixture.datapath.sync.apply(model)

        let restarted = try ServiceDatapath(objectDirectory: TestPaths.bpfObjects.path, pinDirectory: fixture.pinRoot, nodeName: "node-a")
        #expect(restarted.sync.image == fixture.datapath.sync.image)
        #expect(restarted.sync.plan(for: model).isEmpty)
        #expect(try restarted.attach(cgroupPath: fixture.cgroup) == .adopted)
        #expect(Set(try fixture.client("tcp", F.vip4(), 80, count: 30).compactMap(\.backend)) == Set(F.backends4))

        #expect(try restarted.detach(cgroupPath: fixture.cgroup))
        #expect(try fixture.client("tcp", F.vip4(), 80, count: 1) == [F.Attempt(errno: Self.enetunreach)])
        #expect(try !restarted.detach(cgroupPath: fixture.cgroup))
    }
}

/// Reads newline-terminated lines from a pipe, blocking.
final class LineReader {
    private let handle: FileHandle
    private var buffer = Data()

    init(_ handle: FileHandle) { self.handle = handle }

    func line() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                return line
            }
            let chunk = handle.availableData
            if chunk.isEmpty { return buffer.isEmpty ? nil : String(decoding: buffer, as: UTF8.self) }
            buffer.append(chunk)
        }
    }
}
