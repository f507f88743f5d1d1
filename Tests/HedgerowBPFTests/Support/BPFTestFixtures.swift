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
    static var counter: String { TestPaths.bpfObject("tests/counter.bpf.o") }
    static var passthrough: String { TestPaths.bpfObject("tests/passthrough.bpf.o") }
    static var reject: String { TestPaths.bpfObject("tests/reject.bpf.o") }
    static var ringbuf: String { TestPaths.bpfObject("tests/ringbuf.bpf.o") }
    static var cgroupAllow: String { TestPaths.bpfObject("tests/cgroup_allow.bpf.o") }
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
