import Foundation
import HedgerowBPF

/// Work that must happen inside a lab namespace (a pod's socket, a test run that resolves the
/// node's interface index) runs on a fresh thread that joined it: setns moves only the calling
/// thread, and a socket keeps the namespace it was created in.
enum NamespaceThread {
    static func run<T: Sendable>(in netns: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    let fd = open("/run/netns/\(netns)", O_RDONLY | O_CLOEXEC)
                    guard fd >= 0 else { throw BenchFailure("open /run/netns/\(netns): errno \(errno)") }
                    defer { close(fd) }
                    typealias Setns = @convention(c) (Int32, Int32) -> Int32
                    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns"),
                        unsafeBitCast(symbol, to: Setns.self)(fd, 0x4000_0000 /* CLONE_NEWNET */) == 0
                    else { throw BenchFailure("setns /run/netns/\(netns): errno \(errno)") }
                    return try body()
                })
            }.start()
        }
    }
}

/// The agent's own `to_endpoint` program on a pod's veth, run on synthetic SYNs with
/// BPF_PROG_TEST_RUN: each emits one flow event into the agent's ring buffer (a new
/// connection), without depending on how fast the machine can push real packets.
struct AttachedEndpointProgram: Sendable {
    let program: BPFProgram
    let netns: String
    let interfaceIndex: UInt32

    /// Finds Hedgerow's filter (priority 1, handle 0x4852) on the egress hook of the veth.
    init(netns: String, interfaceIndex: UInt32) async throws {
        self.netns = netns
        self.interfaceIndex = interfaceIndex
        let hook = TCHook(ifindex: Int32(interfaceIndex), direction: .egress)
        guard let id = try await NamespaceThread.run(in: netns, { try hook.query(priority: 1, handle: 0x4852) }) else {
            throw BenchFailure("no Hedgerow filter on egress of ifindex \(interfaceIndex) in \(netns)")
        }
        let pin = "/sys/fs/bpf/flow-bench-\(getpid())-\(id)"
        try BenchShell.run(["/usr/sbin/bpftool", "prog", "pin", "id", String(id), pin])
        defer { unlink(pin) }
        program = try BPFProgram.openPinned(pin)
    }

    /// `count` new connections to `destination`:80 from 10.250.0.0/16, numbered from `first`.
    func openConnections(_ count: Int, first: Int = 0, to destination: [UInt8]) async throws {
        let (program, ifindex) = (self.program, interfaceIndex)
        try await NamespaceThread.run(in: netns) {
            for n in first..<(first + count) {
                let host = n / 64_000
                let packet = SynPacket.make(from: [10, 250, UInt8(host / 250), UInt8(host % 250 + 1)], port: UInt16(1024 + n % 64_000),
                                            to: destination, port: 80)
                _ = try program.testRun(.tc(packet: packet, ifindex: ifindex))
            }
        }
    }
}

extension AttachedEndpointProgram {
    /// New connections at up to `rate` per second for `duration` (numbered from `first`; one
    /// frame restamped per packet); returns how many were sent and how long it took.
    func flood(rate: Int, duration: Duration, first: Int, to destination: [UInt8]) async throws -> (packets: Int, elapsed: Duration) {
        let (program, ifindex) = (self.program, interfaceIndex)
        return try await NamespaceThread.run(in: netns) {
            var input = BPFTestRun.Input.tc(packet: SynPacket.make(from: [10, 250, 0, 1], port: 1024, to: destination, port: 80),
                                            ifindex: ifindex)
            let started = ContinuousClock.now
            var sent = 0
            while case let elapsed = ContinuousClock.now - started, elapsed < duration {
                let due = min(Int(Double(elapsed.components.seconds) * Double(rate) + Double(elapsed.components.attoseconds) / 1e18 * Double(rate)) + 1,
                              sent + 2000)
                if sent >= due {
                    usleep(500)
                    continue
                }
                while sent < due {
                    let n = first + sent
                    let host = n / 64_000
                    let port = UInt16(1024 + n % 64_000)
                    input.data[28] = UInt8(host / 250)
                    input.data[29] = UInt8(host % 250 + 1)
                    input.data[34] = UInt8(port >> 8)
                    input.data[35] = UInt8(port & 0xff)
                    _ = try program.testRun(input)
                    sent += 1
                }
            }
            return (sent, ContinuousClock.now - started)
        }
    }
}

enum SynPacket {
    /// Ethernet + IPv4 + TCP SYN, checksums zero (the endpoint programs never read them).
    static func make(from source: [UInt8], port sourcePort: UInt16, to destination: [UInt8], port destinationPort: UInt16) -> [UInt8] {
        func be(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
        let ethernet: [UInt8] = [0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00]
        let tcp = be(sourcePort) + be(destinationPort) + [0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02] + be(65535) + [0, 0, 0, 0]
        return ethernet + [0x45, 0] + be(UInt16(20 + tcp.count)) + [0, 1, 0x40, 0, 64, 6, 0, 0] + source + destination + tcp
    }
}
