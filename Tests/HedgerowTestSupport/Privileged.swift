import Foundation

/// Whether privileged tests (root, BPF, network namespaces) run here.
///
/// They run whenever they can. In CI (`CI=true`) they always run: a machine that cannot run
/// them makes them fail, never skip, so a green CI always means they ran.
public enum Privileged {
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    public static var isRoot: Bool { geteuid() == 0 }
    public static var hasBPFFS: Bool {
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        return mounts.split(separator: "\n").contains { $0.hasPrefix("bpffs /sys/fs/bpf ") || $0.hasPrefix("bpf /sys/fs/bpf ") || $0.contains(" /sys/fs/bpf bpf ") }
    }

    /// True when privileged tests should be run (use with `.enabled(if:)`).
    public static var shouldRun: Bool { (isRoot && hasBPFFS) || isCI }

    /// Call first in every privileged test: throws a readable error when the machine cannot
    /// run it (which only happens in CI, where the test must fail).
    public static func require() throws {
        guard isRoot else { throw TestEnvironmentError("privileged test needs root (CI=true forbids skipping)") }
        guard hasBPFFS else { throw TestEnvironmentError("bpffs is not mounted at /sys/fs/bpf (run `make mounts`)") }
    }
}

public struct TestEnvironmentError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
