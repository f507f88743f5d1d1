import Foundation
import Glibc

/// cgroup2 directories of a lab: created, joined, killed and removed bottom-up.
public enum CGroups {
    public static func create(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw LabError("cannot create cgroup \(path): \(error.localizedDescription)")
        }
    }

    public static func exists(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    public static func addProcess(_ pid: pid_t, to path: String) throws {
        try writeControl("\(pid)", to: "\(path)/cgroup.procs")
    }

    /// The processes directly in this cgroup (not in its children).
    public static func processes(in path: String) -> [pid_t] {
        guard let text = try? String(contentsOfFile: "\(path)/cgroup.procs", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { pid_t($0) }
    }

    /// Kills every process in the cgroup and its descendants (cgroup.kill) and waits until the
    /// tree is empty, so that it can be removed. A missing cgroup is already empty.
    public static func killAll(in path: String, timeout: TimeInterval = 5) throws {
        guard exists(path) else { return }
        try writeControl("1", to: "\(path)/cgroup.kill")
        let deadline = Date().addingTimeInterval(timeout)
        while isPopulated(path) {
            guard Date() < deadline else { throw LabError("processes in cgroup \(path) survived cgroup.kill for \(Int(timeout)) s") }
            usleep(20_000)
        }
    }

    /// `populated 1` in cgroup.events: some process lives in this cgroup or below.
    public static func isPopulated(_ path: String) -> Bool {
        guard let events = try? String(contentsOfFile: "\(path)/cgroup.events", encoding: .utf8) else { return false }
        return events.split(separator: "\n").contains("populated 1")
    }

    /// Removes the cgroup and every cgroup below it, deepest first. Missing is fine.
    public static func removeTree(_ path: String) throws {
        guard exists(path) else { return }
        let children = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for child in children.sorted() where exists("\(path)/\(child)") {
            try removeTree("\(path)/\(child)")
        }
        // EBUSY for a moment after the last process died: the kernel waits for exiting tasks
        // (zombies not yet reaped) before a cgroup can go.
        let deadline = Date().addingTimeInterval(3)
        while rmdir(path) != 0 {
            let code = errno
            if code == ENOENT { return }
            guard code == EBUSY, Date() < deadline else { throw SystemError("rmdir cgroup \(path)", errno: code) }
            usleep(20_000)
        }
    }

    static func writeControl(_ value: String, to file: String) throws {
        let fd = open(file, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open \(file)") }
        defer { close(fd) }
        let written = value.withCString { write(fd, $0, strlen($0)) }
        guard written >= 0 else { throw SystemError("write '\(value)' to \(file)") }
    }
}
