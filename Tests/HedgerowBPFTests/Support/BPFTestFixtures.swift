import Foundation
import HedgerowBPF
import HedgerowTestSupport

/// A pin directory on bpffs made for one test; `destroy()` removes it with everything pinned
/// below it (call it in a `defer`).
struct TestPinRoot {
    let path: String

    init() throws {
        path = "/sys/fs/bpf/" + UniqueName.make("hrtpin")
        try BPFPin.makeDirectory(path)
    }

    func pin(_ name: String) -> String { path + "/" + name }

    func destroy() { try? BPFPin.removeTree(path) }
}

/// A cgroup2 directory made for one test; `destroy()` removes it.
struct TestCgroup {
    static let root = "/sys/fs/cgroup/unified"
    let path: String

    init() throws {
        path = Self.root + "/" + UniqueName.make("hrtcg")
        guard mkdir(path, 0o755) == 0 else { throw TestEnvironmentError("mkdir \(path): errno \(errno)") }
    }

    func destroy() { rmdir(path) }
}

/// Compiled objects under .build/bpf (`make bpf`).
enum TestObjects {
    static var endpoint: String { TestPaths.bpfObject("endpoint.bpf.o") }
    static var passthrough: String { TestPaths.bpfObject("tests/passthrough.bpf.o") }
    static var reject: String { TestPaths.bpfObject("tests/reject.bpf.o") }
    static var ringbuf: String { TestPaths.bpfObject("tests/ringbuf.bpf.o") }
    static var cgroupAllow: String { TestPaths.bpfObject("tests/cgroup_allow.bpf.o") }
}

/// Test-side mirrors of bpf/include/hedgerow_abi.h: this test target cannot import
/// CHedgerowABI. BPFMap checks them against the sizes the object declares, so a drift of the
/// header fails these tests loudly instead of passing silently.
enum ABIMirror {
    struct EndpointKey: Equatable { var ifindex: UInt32 }

    struct EndpointInfo: Equatable {
        var endpointID: UInt32
        var identity: UInt32 = 0
        var flags: UInt32 = 1
        var ipv4: UInt32 = 0
        var ipv6High: UInt64 = 0
        var ipv6Low: UInt64 = 0
    }

    struct Traffic: Equatable {
        var packets: UInt64
        var bytes: UInt64
    }

    static let directionEgress: UInt32 = 0   // leaving the pod: tc ingress of the host veth
    static let directionIngress: UInt32 = 1  // entering the pod: tc egress of the host veth
    static let directionCount: UInt32 = 2
}

/// A minimal Ethernet frame (local experimental ethertype 0x88b5) for BPF_PROG_TEST_RUN.
func syntheticFrame(length: Int = 64) -> [UInt8] {
    var frame = [UInt8](repeating: 0, count: max(length, 14))
    frame[0..<6] = [0x02, 0, 0, 0, 0, 0x01]
    frame[6..<12] = [0x02, 0, 0, 0, 0, 0x02]
    frame[12] = 0x88
    frame[13] = 0xb5
    return frame
}

/// Filters listed by `tc filter show dev DEV DIRECTION` (one line per filter with a handle).
func tcFilterLines(device: String, direction: String) throws -> [Substring] {
    try Shell.run("tc", "filter", "show", "dev", device, direction).split(separator: "\n").filter { $0.contains(" handle ") }
}
