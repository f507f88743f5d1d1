import Foundation
import Synchronization

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Commands the benchmark runs: setup through `/usr/bin/env` (output captured), and the timed
/// iptables-restore runs spawned straight into a network namespace.
enum Spawn {
    /// Runs a setup command; returns stdout; throws with stderr when it fails.
    @discardableResult
    static func sh(_ arguments: String...) throws -> String { try run(arguments) }

    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("`\(arguments.joined(separator: " "))` exited \(process.terminationStatus): "
                             + String(decoding: errorData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs `argv` inside network namespace `netns` with stdin from `stdinPath` and returns how
    /// long it took from spawn to exit. The child is forked from a thread that joined the
    /// namespace (a child inherits its parent thread's namespaces), so no `ip netns exec` or
    /// `nsenter` sits inside the measurement.
    /// - Parameter limit: when given, the child is killed after this long and `TimedOut` thrown.
    static func timed(in netns: String, _ argv: [String], stdinPath: String, stderrPath: String, limit: Duration? = nil) throws -> Duration {
        try NamespaceThread.run(in: netns) {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            var cArguments = argv.map { strdup($0) } + [nil]
            defer { cArguments.forEach { free($0) } }
            var pid: pid_t = 0
            let clock = ContinuousClock()
            let start = clock.now
            let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
            guard spawned == 0 else { throw BenchError("spawn \(argv[0]): \(String(cString: strerror(spawned)))") }
            // A watchdog rather than polling: the wait stays one blocking call, so short runs are
            // timed to the microsecond.
            let watchdog = Watchdog()
            if let limit {
                let pid = pid
                DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(milliseconds(limit) * 1e6))) { watchdog.fire(pid) }
            }
            // Wait for the exit without reaping, so the pid cannot be reused while the watchdog
            // may still fire; then reap.
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
            let elapsed = clock.now - start
            let fired = watchdog.finish()
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            if fired, let limit { throw TimedOut(limit: limit) }
            // Exited normally with 0: the low 7 bits (signal) and the exit code both zero.
            guard status == 0 else {
                let message = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
                throw BenchError("`\(argv.joined(separator: " "))` < \(stdinPath) in \(netns) failed (wait status \(status)): "
                                 + message.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            return elapsed
        }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "timed out after \(limit)" }
}

/// Kills a child once unless it finished first; `finish` says whether it fired.
private final class Watchdog: Sendable {
    private let state = Mutex<(finished: Bool, fired: Bool)>((false, false))

    func fire(_ pid: pid_t) {
        state.withLock { state in
            guard !state.finished else { return }
            state.fired = true
            kill(pid, SIGKILL)
        }
    }

    /// Marks the child exited (call before reaping it); true when the watchdog had fired.
    func finish() -> Bool {
        state.withLock { state in
            state.finished = true
            return state.fired
        }
    }
}

/// Work that must happen inside a network namespace runs on a fresh thread that joined it:
/// setns moves only the calling thread.
enum NamespaceThread {
    static func run<T: Sendable>(in netns: String, _ body: @escaping @Sendable () throws -> T) throws -> T {
        let result = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            result.value = Result {
                try enter(netns)
                return try body()
            }
            done.signal()
        }
        thread.start()
        done.wait()
        return try result.value!.get()
    }

    /// Moves the calling thread into `/run/netns/<netns>`.
    static func enter(_ netns: String) throws {
        let fd = open("/run/netns/\(netns)", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BenchError("open /run/netns/\(netns): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        typealias Setns = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns"),
            unsafeBitCast(symbol, to: Setns.self)(fd, 0x4000_0000 /* CLONE_NEWNET */) == 0
        else { throw BenchError("setns /run/netns/\(netns): \(String(cString: strerror(errno)))") }
    }
}

/// Hands a result from the namespace thread back to the waiting one (the semaphore orders them).
private final class ResultBox<T>: @unchecked Sendable {
    var value: Result<T, any Error>?
}
