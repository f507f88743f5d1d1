import Foundation
import Glibc

/// Facts about other processes, read from /proc.
public enum Processes {
    /// Alive and not a zombie (a zombie whose parent does not reap it still answers kill(0)).
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    /// The process's cgroup2 path relative to the cgroup2 root ("/hedgerow-lab-x/node1").
    static func cgroup(of pid: pid_t) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) }
    }

    /// SIGTERM, then SIGKILL after `grace` seconds if still alive. Returns true when it is gone.
    @discardableResult
    static func terminate(_ pid: pid_t, grace: TimeInterval = 5) -> Bool {
        guard isAlive(pid) else { return true }
        kill(pid, SIGTERM)
        if waitForExit(pid, timeout: grace) { return true }
        kill(pid, SIGKILL)
        return waitForExit(pid, timeout: 2)
    }

    static func waitForExit(_ pid: pid_t, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while isAlive(pid) {
            if Date() >= deadline { return false }
            usleep(20_000)
        }
        return true
    }

    /// The path of the running executable (to re-execute `hlab _enter`).
    static func currentExecutable() throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { throw SystemError("readlink /proc/self/exe") }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The last `lines` lines of a log file, for error messages.
    static func tail(_ path: String, lines: Int = 30) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "(no log at \(path))" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}
