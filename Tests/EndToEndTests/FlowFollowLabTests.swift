import Foundation
import HedgerowTestSupport
import Testing

/// `hflow observe --follow` against a lab agent prints a new connection between two pods as it
/// happens. How fast is a benchmark (bench-flows, "follow latency"); this test only checks
/// that the line comes, with a generous bound.
@Suite(.serialized) struct FlowFollowLabTests {
    /// What a running process printed so far.
    final class OutputCollector: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()

        init(_ pipe: Pipe) {
            pipe.fileHandleForReading.readabilityHandler = { [self] handle in
                let chunk = handle.availableData
                lock.withLock { data.append(chunk) }
            }
        }

        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func followPrintsANewConnectionBetweenPods() throws {
        let lab = try LabHarness(prefix: "hfol")
        defer { lab.down() }
        let endpoints = try LabHarness.eventually("3 endpoints") { () -> [String: String]? in
            let list = try lab.endpoints()
            guard list.count == 3 else { return nil }
            return Dictionary(uniqueKeysWithValues: list.map { ("\($0.namespace)/\($0.podName)", $0.ips.first ?? "") })
        }
        let serverIP = try #require(endpoints["x/b"])
        let echo = try lab.spawn("x/b", [TestPaths.binary("hlab"), "serve", "--tcp", "80"])
        defer { echo.terminate(); echo.waitUntilExit() }

        let follow = Process()
        follow.executableURL = URL(fileURLWithPath: TestPaths.binary("hflow"))
        follow.arguments = ["observe", "--follow", "--server", "unix://" + lab.agentSocket(), "--from-pod", "x/a", "--to-pod", "x/b",
                            "--protocol", "tcp", "--color", "never"]
        let output = Pipe()
        follow.standardOutput = output
        follow.standardError = FileHandle.nullDevice
        let printed = OutputCollector(output)
        try follow.run()
        defer {
            if follow.isRunning { kill(follow.processIdentifier, SIGINT) }
            follow.waitUntilExit()
            output.fileHandleForReading.readabilityHandler = nil
        }

        // A follow only sees what happens after it subscribed, which hflow does not announce:
        // connect again until a SYN line shows up (each probe is a new connection).
        let line = try LabHarness.eventually(timeout: .seconds(30), "hflow --follow printing x/a -> x/b:80 SYN") { () -> String? in
            _ = try lab.execStatus("x/a", [TestPaths.binary("hlab"), "probe", "\(serverIP):80", "--protocol", "tcp", "--timeout", "1s"])
            return printed.text.split(separator: "\n").first { $0.contains("x/a:") && $0.contains("-> x/b:80") && $0.contains("SYN") }
                .map(String.init)
        }
        #expect(line.contains("FORWARDED (TCP Flags: SYN)"), "\(line)")
        #expect(follow.isRunning, "a follow keeps running until interrupted")
    }
}
