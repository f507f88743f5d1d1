import Foundation
import Synchronization

/// Runs a command and returns its standard output; throws with stderr when it fails.
/// Tests use it for the same tools a user would (ip, tc, bpftool), never to fake a result.
public enum Shell {
    /// A command still running after this long is killed and reported: one hung child must
    /// not hold a test (and, through its blocked thread, the tests running beside it) forever.
    public static let timeout: Double = 300

    public struct Failure: Error, CustomStringConvertible {
        public let command: [String]
        public let status: Int32
        public let stderr: String
        public var description: String { "`\(command.joined(separator: " "))` exited \(status): \(stderr)" }
    }

    @discardableResult
    public static func run(_ command: [String], stdin: String? = nil, environment: [String: String]? = nil) throws -> String {
        let result = try capture(command, stdin: stdin, environment: environment)
        guard result.status == 0 else { throw Failure(command: command, status: result.status, stderr: result.stderr) }
        return result.stdout
    }

    @discardableResult
    public static func run(_ command: String...) throws -> String { try run(command) }

    /// Runs without throwing on a non-zero exit: for commands whose failure is the point.
    public static func capture(_ command: [String], stdin: String? = nil, environment: [String: String]? = nil)
        throws -> (status: Int32, stdout: String, stderr: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        // The watchdog holds only the pid: a cancelled work item keeps its closure until its
        // deadline, and holding the Process would keep its pipes open for that long.
        let watch = Watchdog(pid: process.processIdentifier)
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { watch.expire() }
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Drain stderr on another thread so a chatty child cannot fill a pipe and block.
        let errBox = DataBox()
        let drained = DispatchGroup()
        DispatchQueue.global().async(group: drained) { errBox.data = err.fileHandleForReading.readDataToEndOfFile() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        if watch.finish() {
            throw Failure(command: command, status: process.terminationStatus,
                          stderr: "killed after \(Int(timeout)) s: " + String(decoding: errBox.data, as: UTF8.self))
        }
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errBox.data, as: UTF8.self))
    }
}

private final class DataBox: @unchecked Sendable { var data = Data() }

/// Kills a child still running at its deadline; `finish()` (after the child was reaped) stops
/// it from ever signalling that pid again and says whether it had to kill.
private final class Watchdog: Sendable {
    private let pid: pid_t
    private let state = Mutex((finished: false, killed: false))

    init(pid: pid_t) { self.pid = pid }

    func expire() {
        state.withLock { state in
            guard !state.finished else { return }
            state.killed = true
            kill(pid, SIGKILL)
        }
    }

    func finish() -> Bool {
        state.withLock { state in
            state.finished = true
            return state.killed
        }
    }
}
