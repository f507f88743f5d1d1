import Foundation
import HedgerowBPF
import HedgerowTestSupport

/// Feeds synthetic packets to the endpoint program a running agent attached to a pod's veth
/// (`to_endpoint`, tc egress of the host side: traffic entering the pod), with
/// BPF_PROG_TEST_RUN. The program runs with the agent's maps, so each event it emits goes into
/// the agent's ring buffer exactly as real traffic's would.
///
/// Everything kernel-facing runs on one dedicated thread that joined the node's network
/// namespace: the tc query and the test run resolve the interface index there (setns moves only
/// the calling thread, so the rest of the test process stays where it was).
final class EndpointPacketInjector: Sendable {
    /// Hedgerow's tc filter (ARCHITECTURE.md, decision 5).
    static let filterPriority: UInt16 = 1
    static let filterHandle: UInt32 = 0x4852

    let netns: String
    let interfaceIndex: UInt32
    let program: BPFProgram

    /// Finds the program attached to the egress hook of `interfaceIndex` in `netns`.
    init(netns: String, interfaceIndex: UInt32) async throws {
        self.netns = netns
        self.interfaceIndex = interfaceIndex
        let hook = TCHook(ifindex: Int32(interfaceIndex), direction: .egress)
        let id = try await Self.inNamespace(netns) {
            try hook.query(priority: Self.filterPriority, handle: Self.filterHandle)
        }
        guard let id else { throw TestEnvironmentError("no Hedgerow filter on egress of ifindex \(interfaceIndex) in \(netns)") }
        // HedgerowBPF opens programs from pins; pin it briefly (by id) to get a descriptor.
        let pin = "/sys/fs/bpf/" + UniqueName.make("hinj")
        try Shell.run("bpftool", "prog", "pin", "id", String(id), pin)
        defer { unlink(pin) }
        program = try BPFProgram.openPinned(pin)
    }

    struct Load: Sendable {
        var packets: Int
        var elapsed: Duration
        /// The program's return values (TC_ACT_OK = 0, TC_ACT_SHOT = 2) and how often each came.
        var verdicts: [UInt32: Int]
        var packetsPerSecond: Double {
            packets == 0 ? 0 : Double(packets) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }

    /// Opens new connections to `destination`:80 (packet n = `InjectedPacket.newConnection`) at
    /// `rate` packets per second, in bursts that catch up when behind, until `duration` has
    /// passed: as many as the machine manages in that time, up to the rate.
    func openConnections(rate: Int, duration: Duration, to destination: [UInt8]) async throws -> Load {
        let (program, ifindex) = (self.program, interfaceIndex)
        return try await Self.inNamespace(netns) {
            // One input, restamped per packet: building frames would cost more than the test run.
            var input = BPFTestRun.Input.tc(packet: InjectedPacket.newConnection(0, to: destination), ifindex: ifindex)
            var verdicts: [UInt32: Int] = [:]
            let started = ContinuousClock.now
            var sent = 0
            while case let elapsed = ContinuousClock.now - started, elapsed < duration {
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let due = min(Int(seconds * Double(rate)) + 1, sent + 2000)  // look at the clock every 2,000 packets
                if sent >= due {
                    usleep(500)
                    continue
                }
                while sent < due {
                    InjectedPacket.stampNewConnection(sent, into: &input.data)
                    let result = try program.testRun(input)
                    verdicts[result.returnValue, default: 0] += 1
                    sent += 1
                }
            }
            return Load(packets: sent, elapsed: ContinuousClock.now - started, verdicts: verdicts)
        }
    }

    /// Runs `body` on a new thread that joined the network namespace `/run/netns/<name>`.
    static func inNamespace<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result {
                    let fd = open("/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
                    guard fd >= 0 else { throw TestEnvironmentError("open /run/netns/\(name): errno \(errno)") }
                    defer { close(fd) }
                    guard joinNetworkNamespace(fd) == 0 else { throw TestEnvironmentError("setns /run/netns/\(name): errno \(errno)") }
                    return try body()
                })
            }
            thread.start()
        }
    }

    /// setns(fd, CLONE_NEWNET) for the calling thread; Glibc's module does not export setns.
    private static func joinNetworkNamespace(_ fd: Int32) -> Int32 {
        typealias Setns = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else { return -1 }
        return unsafeBitCast(symbol, to: Setns.self)(fd, 0x4000_0000)
    }
}

/// IPv4 TCP frames for test runs (checksums zero: the endpoint programs never read them).
enum InjectedPacket {
    /// A SYN from `source`:`sourcePort` to `destination`:`destinationPort`.
    static func syn(from source: [UInt8], port sourcePort: UInt16, to destination: [UInt8], port destinationPort: UInt16) -> [UInt8] {
        let ethernet: [UInt8] = [0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00]
        let tcp = be(sourcePort) + be(destinationPort) + [0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02] + be(65535) + [0, 0, 0, 0]
        let ipv4 = [0x45, 0] + be(UInt16(20 + tcp.count)) + [0, 1, 0x40, 0, 64, 6, 0, 0] + source + destination
        return ethernet + ipv4 + tcp
    }

    /// Packet `n` of a flood of new connections: 64,000 source ports per source address in
    /// 10.250.0.0/16, so that 4 million packets never repeat a 5-tuple.
    static func newConnection(_ n: Int, to destination: [UInt8]) -> [UInt8] {
        let host = n / 64_000
        return syn(from: [10, 250, UInt8(host / 250), UInt8(host % 250 + 1)], port: UInt16(1024 + n % 64_000),
                   to: destination, port: 80)
    }

    /// Rewrites a `newConnection` frame in place into packet `n` (source address and port).
    static func stampNewConnection(_ n: Int, into frame: inout [UInt8]) {
        let host = n / 64_000
        let port = UInt16(1024 + n % 64_000)
        frame[28] = UInt8(host / 250)
        frame[29] = UInt8(host % 250 + 1)
        frame[34] = UInt8(port >> 8)
        frame[35] = UInt8(port & 0xff)
    }

    private static func be(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
}
