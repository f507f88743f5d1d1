import Foundation
import HedgerowTestSupport
import Testing

/// Flow history on disk, end to end: a lab agent with `--flow-log` is killed and restarted, and
/// `hflow observe --since` still returns the flows from before the crash (same uuids), then the
/// new ones, in time order, each once. A torn last segment is trimmed at startup, not fatal.
@Suite(.serialized) struct FlowHistoryLabTests {
    struct Seen: Equatable {
        var uuid: String
        var nanoseconds: Int64
    }

    /// The agent flushes history every second; a SIGKILL loses what it has not flushed yet.
    static let flushWait: UInt32 = 2_500_000

    @Test(.enabled(if: Privileged.shouldRun))
    func flowsFromBeforeARestartAreStillServed() throws {
        let lab = try LabHarness(prefix: "hhis")
        defer { lab.down() }
        let flowLog = "\(lab.stateDirectory)/node1/flows"
        defer { try? FileManager.default.removeItem(atPath: flowLog) }
        try lab.restartAgent(with: ["--flow-log", flowLog, "--flow-log-max-size", "8MiB"])

        let serverIP = try waitForServer(lab)
        let echo = try lab.spawn("x/b", [TestPaths.binary("hlab"), "serve", "--tcp", "80"])
        defer { echo.terminate(); echo.waitUntilExit() }
        try probe(lab, serverIP, times: 4)

        let before = try LabHarness.eventually("flows x/a -> x/b before the restart") { () -> [Seen]? in
            let flows = try observe(lab)
            return flows.count >= 4 ? flows : nil
        }
        usleep(Self.flushWait)
        try lab.killAgent()
        try lab.startAgent()
        _ = try waitForServer(lab)
        try probe(lab, serverIP, times: 3)

        let after = try LabHarness.eventually("pre-restart flows and new ones") { () -> [Seen]? in
            let flows = try observe(lab)
            return flows.count >= before.count + 3 ? flows : nil
        }
        #expect(Array(after.prefix(before.count)) == before, "pre-restart flows first, same uuids")
        #expect(Set(after.map(\.uuid)).count == after.count, "no flow twice")
        #expect(after.map(\.nanoseconds) == after.map(\.nanoseconds).sorted(), "time order")
        #expect(after.dropFirst(before.count).allSatisfy { $0.nanoseconds > before.last!.nanoseconds })

        // A torn tail: stop, cut the newest segment short, start again.
        usleep(Self.flushWait)
        try LabHarness.hlab(["agent", "stop", "--lab", lab.name, "node1"])
        let segments = try FileManager.default.contentsOfDirectory(atPath: flowLog).filter { !$0.hasPrefix(".") }.sorted()
        let newest = try #require(segments.last.map { "\(flowLog)/\($0)" })
        let size = try #require(try FileManager.default.attributesOfItem(atPath: newest)[.size] as? Int)
        #expect(truncate(newest, off_t(size - 5)) == 0)
        try lab.startAgent()
        let log = try String(contentsOfFile: "\(lab.stateDirectory)/logs/node1-agent.log", encoding: .utf8)
        #expect(log.contains("flow history repaired"), "the agent says it trimmed the torn tail")
        let served = try observe(lab)
        #expect(Set(before.map(\.uuid)).isSubset(of: Set(served.map(\.uuid))), "the flows before the torn block are served")
        #expect(Set(served.map(\.uuid)).count == served.count)
    }

    private func waitForServer(_ lab: LabHarness) throws -> String {
        try LabHarness.eventually("3 endpoints") { () -> String? in
            let list = try lab.endpoints()
            guard list.count == 3 else { return nil }
            return list.first { $0.namespace == "x" && $0.podName == "b" }?.ips.first
        }
    }

    private func probe(_ lab: LabHarness, _ serverIP: String, times: Int) throws {
        for _ in 0..<times {
            _ = try lab.execStatus("x/a", [TestPaths.binary("hlab"), "probe", "\(serverIP):80", "--protocol", "tcp", "--timeout", "1s"])
        }
    }

    /// SYNs from x/a to x/b in the last 10 minutes, as hflow prints them in JSON.
    private func observe(_ lab: LabHarness) throws -> [Seen] {
        let output = try Shell.run([
            TestPaths.binary("hflow"), "observe", "--server", "unix://\(lab.agentSocket())", "--since", "10m", "-o", "json",
            "--from-pod", "x/a", "--to-pod", "x/b", "--tcp-flags", "SYN",
        ])
        return try output.split(separator: "\n").compactMap { line -> Seen? in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard let flow = object?["flow"] as? [String: Any], let uuid = flow["uuid"] as? String,
                let time = flow["time"] as? String
            else { return nil }
            return Seen(uuid: uuid, nanoseconds: try #require(Self.nanoseconds(time), "time \(time)"))
        }
    }

    /// RFC 3339 in UTC as protobuf JSON prints it: 2026-11-27T06:18:17.123456Z.
    static func nanoseconds(_ text: String) -> Int64? {
        let parts = text.dropLast().split(separator: ".")
        let formatter = ISO8601DateFormatter()
        guard text.hasSuffix("Z"), let date = formatter.date(from: String(parts[0]) + "Z") else { return nil }
        let fraction = parts.count > 1 ? String(parts[1]).padding(toLength: 9, withPad: "0", startingAt: 0) : "0"
        guard let nanos = Int64(fraction) else { return nil }
        return Int64(date.timeIntervalSince1970) * 1_000_000_000 + nanos
    }
}
