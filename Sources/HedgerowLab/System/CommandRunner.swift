import Foundation
import Glibc

/// Runs helper commands (iproute2, CNI plugins through `hlab _enter`, the agent) as child
/// processes. Environments given are added to hlab's own, as CNI runtimes do.
public enum CommandRunner {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        public let timedOut: Bool
    }

    /// Runs to completion, feeding `stdin` and capturing both outputs. After `timeout` seconds
    /// the command is killed (a hung plugin must not hang `hlab up`).
    public static func run(
        _ command: [String], environment: [String: String] = [:], stdin: Data? = nil, timeout: TimeInterval = 60
    ) throws -> Result {
        let process = try makeProcess(command, environment: environment)
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw LabError("cannot start \(command.joined(separator: " ")): \(error.localizedDescription)")
        }
        let pid = process.processIdentifier
        let finished = Flag()
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            if !finished.isSet { finished.markTimedOut(); kill(pid, SIGKILL) }
        }
        let writer = DispatchGroup()
        DispatchQueue.global().async(group: writer) {
            if let stdin { try? input.fileHandleForWriting.write(contentsOf: stdin) }
            try? input.fileHandleForWriting.close()
        }
        let errorData = DataBox()
        DispatchQueue.global().async(group: writer) { errorData.data = errors.fileHandleForReading.readDataToEndOfFile() }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        writer.wait()
        process.waitUntilExit()
        finished.set()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData.data, as: UTF8.self),
            timedOut: finished.timedOut)
    }

    /// Runs and throws unless it exits 0; `what` says what was being done.
    @discardableResult
    public static func check(_ command: [String], what: String, environment: [String: String] = [:]) throws -> String {
        let result = try run(command, environment: environment)
        guard result.status == 0 else {
            let detail = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw LabError("cannot \(what): `\(command.joined(separator: " "))` exited \(result.status)\(detail.isEmpty ? "" : ": \(detail)")")
        }
        return result.stdout
    }

    /// Starts a long-running command with stdin from /dev/null and both outputs appended to
    /// `logFile`, and returns its pid without waiting. Detaching from the session is up to the
    /// command (`hlab _enter --setsid`).
    public static func launch(_ command: [String], environment: [String: String] = [:], logFile: String) throws -> pid_t {
        let process = try makeProcess(command, environment: environment)
        guard FileManager.default.createFile(atPath: logFile, contents: nil) || FileManager.default.fileExists(atPath: logFile),
              let log = FileHandle(forWritingAtPath: logFile)
        else { throw LabError("cannot open log file \(logFile)") }
        defer { try? log.close() }
        try log.seekToEnd()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        do {
            try process.run()
        } catch {
            throw LabError("cannot start \(command.joined(separator: " ")): \(error.localizedDescription)")
        }
        return process.processIdentifier
    }

    private static func makeProcess(_ command: [String], environment: [String: String]) throws -> Process {
        guard let name = command.first else { throw LabError("empty command") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try NamespaceEntry.resolveExecutable(name))
        process.arguments = Array(command.dropFirst())
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        return process
    }

    private final class DataBox: @unchecked Sendable { var data = Data() }

    /// Set when the command finished; `timedOut` when the watchdog killed it first.
    private final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        private var killed = false
        var isSet: Bool { lock.withLock { done } }
        var timedOut: Bool { lock.withLock { killed } }
        func set() { lock.withLock { done = true } }
        func markTimedOut() { lock.withLock { killed = true } }
    }
}
