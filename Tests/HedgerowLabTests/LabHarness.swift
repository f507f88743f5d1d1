import Foundation
import HedgerowLab
import HedgerowTestSupport
import Testing

/// Runs the built `hlab` for privileged tests and checks what a lab leaves on the machine.
enum Hlab {
    static var path: String { TestPaths.binary("hlab") }
    static var basicLab: String { TestLabFiles.directory + "/basic.yaml" }

    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> Run {
        let result = try Shell.capture([path] + arguments)
        return Run(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// Runs and records an issue (with the output) unless it exits 0.
    @discardableResult
    static func succeed(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        let result = try run(arguments)
        #expect(result.status == 0, "hlab \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    /// A fresh lab name (also unique between test processes running side by side).
    static func uniqueLabName() -> String { UniqueName.make("hl") }

    /// Brings up basic.yaml without agents under `name`; the caller tears it down.
    static func upBasic(_ name: String) throws -> LabState {
        try succeed(["up", "--without-agent", "-f", basicLab, "--name", name])
        guard let state = try LabStateStore.load(lab: name) else { throw TestEnvironmentError("lab \(name) has no state after up") }
        return state
    }

    static func down(_ name: String) { _ = try? run(["down", name]) }

    /// Everything of the lab that is still on the machine, as readable strings (empty: clean).
    static func traces(of lab: String, hostInterfaces: [String] = []) throws -> [String] {
        let naming = LabNaming(lab: lab)
        var found: [String] = []
        let netns = try Shell.run("ip", "netns", "list")
        found += netns.split(separator: "\n").map { String($0.split(separator: " ")[0]) }
            .filter { $0.hasPrefix(naming.netnsPrefix) }.map { "netns \($0)" }
        if FileManager.default.fileExists(atPath: naming.labCgroup) { found.append("cgroup \(naming.labCgroup)") }
        let pins = (try? FileManager.default.contentsOfDirectory(atPath: LabNaming.pinRoot)) ?? []
        found += pins.filter { $0.hasPrefix(naming.pinPrefix) }.map { "pin dir \($0)" }
        if FileManager.default.fileExists(atPath: LabLayout(lab: lab).root) { found.append("state dir \(LabLayout(lab: lab).root)") }
        let links = try Shell.run("ip", "-o", "link", "show")
        found += hostInterfaces.filter { links.contains(" \($0)@") || links.contains(" \($0):") }.map { "link \($0)" }
        return found
    }
}

/// A long-running command (e.g. `hlab exec POD -- hlab serve`), killed by `stop()`; call it in a
/// `defer`. Its output goes to a file so that it can be read while it runs.
final class BackgroundCommand {
    let process = Process()
    let outputPath: String

    init(_ arguments: [String]) throws {
        outputPath = NSTemporaryDirectory() + "/" + UniqueName.make("hlout") + ".log"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let output = FileHandle(forWritingAtPath: outputPath)!
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try output.close()
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Waits until the output has a line `line`; false after `timeout` or when the command ended.
    func waitForLine(_ line: String, timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if output.split(separator: "\n").contains(Substring(line)) { return true }
            if !process.isRunning { return false }
            usleep(20_000)
        }
        return false
    }

    /// True when the command ends by itself within `timeout`.
    func waitForExit(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return !process.isRunning
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: outputPath)
    }
}
