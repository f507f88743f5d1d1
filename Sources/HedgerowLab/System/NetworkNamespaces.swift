import Foundation
import Glibc

/// Named network namespaces (/run/netns/NAME), managed with iproute2 as an administrator would.
public enum NetworkNamespaces {
    public static let directory = "/run/netns"

    public static func path(_ name: String) -> String { "\(directory)/\(name)" }

    public static func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    public static func list() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// Creates the namespace with its loopback up.
    public static func create(_ name: String) throws {
        try CommandRunner.check(["ip", "netns", "add", name], what: "create network namespace \(name)")
        try CommandRunner.check(["ip", "-n", name, "link", "set", "lo", "up"], what: "bring up lo in \(name)")
    }

    /// Kills whatever still runs inside, then deletes the name. The kernel frees the namespace
    /// (and with it the pod's veth pair) once no process and no mount holds it. Missing is fine.
    public static func delete(_ name: String) throws {
        guard exists(name) else { return }
        killProcesses(inNamespace: name)
        let result = try CommandRunner.run(["ip", "netns", "delete", name])
        if result.status != 0 && exists(name) {
            throw LabError("cannot delete network namespace \(name): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// SIGKILLs every process whose network namespace is `name`: processes a lab did not
    /// start through its cgroups (or that escaped them) must not keep a namespace alive.
    @discardableResult
    public static func killProcesses(inNamespace name: String) -> [pid_t] {
        guard let target = identity(path(name)) else { return [] }
        let me = getpid()
        var killed: [pid_t] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), pid != me, identity("/proc/\(pid)/ns/net") == target else { continue }
            if kill(pid, SIGKILL) == 0 { killed.append(pid) }
        }
        return killed
    }

    private static func identity(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "\(info.st_dev):\(info.st_ino)"
    }
}
