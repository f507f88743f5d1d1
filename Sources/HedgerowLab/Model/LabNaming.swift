/// Names of the kernel objects and paths a lab owns. Every name starts with something that
/// identifies the lab, so that `hlab down` can find leftovers even without its state file.
public struct LabNaming: Sendable, Equatable {
    public let lab: String

    public init(lab: String) { self.lab = lab }

    /// Network namespace names stay at most this long (hashed beyond), to keep them readable
    /// in `ip netns list` and within what every tool accepts.
    public static let maxNetnsNameLength = 63

    public static let cgroupRoot = "/sys/fs/cgroup/unified"
    public static let pinRoot = "/sys/fs/bpf/hedgerow"
    public static let stateRoot = "/run/hedgerow-lab"

    /// Every netns of this lab starts with it (nodes and pods alike).
    public var netnsPrefix: String { "hl-\(lab)-" }
    /// Every pin directory of this lab (one per node) starts with it, under `pinRoot`.
    public var pinPrefix: String { "\(lab)-" }

    public func nodeNetns(_ node: String) -> String { Self.shorten(netnsPrefix, node) }
    public func podNetns(namespace: String, pod: String) -> String { Self.shorten(netnsPrefix, "\(namespace)-\(pod)") }
    /// The underlay's namespace. Node names are DNS labels and pod namespaces join two of them
    /// with '-', so the '.' keeps this name from ever meeting theirs.
    public var underlayNetns: String { Self.shorten(netnsPrefix, ".underlay") }

    /// The id CNI plugins key their state by (host-local files, ptp's interface naming).
    public func containerID(namespace: String, pod: String) -> String { podNetns(namespace: namespace, pod: pod) }
    /// The CNI network name of a node's conflist; host-local keeps its leases under it.
    public func networkName(node: String) -> String { nodeNetns(node) }

    public static let labCgroupPrefix = "hedgerow-lab-"
    public var labCgroup: String { "\(Self.cgroupRoot)/\(Self.labCgroupPrefix)\(lab)" }
    public func nodeCgroup(_ node: String) -> String { "\(labCgroup)/\(node)" }
    public func podCgroup(node: String, namespace: String, pod: String) -> String { "\(nodeCgroup(node))/\(namespace)-\(pod)" }

    public func pinDirectory(node: String) -> String { "\(Self.pinRoot)/\(pinPrefix)\(node)" }

    /// `prefix + rest` when it fits, else the prefix, as much of `rest` as fits, '-' and a hash
    /// of the whole name: still unique, still recognisable, still carrying the lab prefix.
    public static func shorten(_ prefix: String, _ rest: String) -> String {
        let full = prefix + rest
        guard full.count > maxNetnsNameLength else { return full }
        let hash = String(fnv1a(full), radix: 16)
        let padded = String(repeating: "0", count: 8 - hash.count) + hash
        let keep = max(0, maxNetnsNameLength - prefix.count - padded.count - 1)
        var head = String(rest.prefix(keep))
        while head.hasSuffix("-") { head.removeLast() }
        return prefix + head + "-" + padded
    }

    /// FNV-1a: a stable hash (Swift's `Hasher` is seeded per process, useless for names).
    static func fnv1a(_ text: String) -> UInt32 {
        var hash: UInt32 = 0x811c_9dc5
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return hash
    }
}
