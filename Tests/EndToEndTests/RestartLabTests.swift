import Foundation
import HedgerowTestSupport
import Testing

/// `kill -9` of the agent in the middle of traffic: the pinned datapath keeps forwarding and
/// enforcing while no agent runs, and the restarted agent adopts it. Counted end to end: one
/// long-lived connection exchanging a message every 50 ms, a new connection every 50 ms to the
/// allowed port and to the denied port, and the server counting what it accepted per port.
@Suite(.serialized) struct RestartLabTests {
    static let policy = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {namespace: x, name: b-80-from-a}
        spec:
          podSelector: {matchLabels: {pod: b}}
          ingress: [{from: [{podSelector: {matchLabels: {pod: a}}}], ports: [{port: 80, protocol: TCP}]}]
        """

    /// Accepts on 80 and 81, echoes every line, prints "accepted <port>" per connection.
    static let server = """
        import socket, sys, threading
        def serve(conn):
            with conn:
                for line in conn.makefile("rb"):
                    conn.sendall(line)
        def listen(port):
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", port)); s.listen(512)
            while True:
                conn, _ = s.accept()
                print("accepted", port, flush=True)
                threading.Thread(target=serve, args=(conn,), daemon=True).start()
        for port in (80, 81):
            threading.Thread(target=listen, args=(port,), daemon=True).start()
        print("ready", flush=True)
        threading.Event().wait()
        """

    /// Runs for argv[2] seconds against argv[1]; prints one JSON line of counts.
    static let client = """
        import json, socket, sys, threading, time
        host, duration = sys.argv[1], float(sys.argv[2])
        counts = {"echoes": 0, "long_broken": 0, "attempted_80": 0, "succeeded_80": 0, "attempted_81": 0, "succeeded_81": 0}
        end = time.time() + duration
        def long_lived():
            try:
                s = socket.create_connection((host, 80), timeout=2)
                f = s.makefile("rb")
                while time.time() < end:
                    s.sendall(b"ping\\n")
                    if f.readline() != b"ping\\n": raise OSError("bad echo")
                    counts["echoes"] += 1
                    time.sleep(0.05)
            except OSError:
                counts["long_broken"] += 1
        def churn(port):
            while time.time() < end:
                counts["attempted_%d" % port] += 1
                try:
                    socket.create_connection((host, port), timeout=0.3).close()
                    counts["succeeded_%d" % port] += 1
                except OSError:
                    pass
                time.sleep(0.05)
        threads = [threading.Thread(target=long_lived)] + [threading.Thread(target=churn, args=(p,)) for p in (80, 81)]
        for t in threads: t.start()
        for t in threads: t.join()
        print(json.dumps(counts), flush=True)
        """

    struct Counts: Decodable {
        var echoes: Int
        var long_broken: Int
        var attempted_80: Int
        var succeeded_80: Int
        var attempted_81: Int
        var succeeded_81: Int
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func killedAgentLeavesTheDatapathWorkingAndTheNextOneAdoptsIt() throws {
        let lab = try LabHarness(prefix: "e2r")
        defer { lab.down() }
        let endpoints = try LabHarness.eventually("3 endpoints") { try lab.endpoints().count == 3 ? try lab.endpoints() : nil }
        let b = try #require(endpoints.first { $0.namespace == "x" && $0.podName == "b" })
        let serverIP = try #require(b.ips.first)

        let file = NSTemporaryDirectory() + UniqueName.make("pol") + ".yaml"
        try Self.policy.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = try lab.hpolicy(["apply", "-f", file])

        let server = Process()
        server.executableURL = URL(fileURLWithPath: TestPaths.binary("hlab"))
        server.arguments = ["exec", "--lab", lab.name, "x/b", "--", "python3", "-u", "-c", Self.server]
        let serverOutput = Pipe()
        server.standardOutput = serverOutput
        try server.run()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) }; server.waitUntilExit() }
        #expect(String(decoding: serverOutput.fileHandleForReading.availableData, as: UTF8.self).contains("ready"))

        let client = Process()
        client.executableURL = URL(fileURLWithPath: TestPaths.binary("hlab"))
        client.arguments = ["exec", "--lab", lab.name, "x/a", "--", "python3", "-u", "-c", Self.client, serverIP, "8"]
        let clientOutput = Pipe()
        client.standardOutput = clientOutput
        try client.run()

        let before = try lab.endpoints().map { "\($0.namespace)/\($0.podName)=\($0.id)/\($0.identity)" }.sorted()
        let filtersBefore = try lab.filters(on: b.interfaceName)
        Thread.sleep(forTimeInterval: 2)
        try lab.killAgent()
        Thread.sleep(forTimeInterval: 2.5)  // no agent at all for this long, mid-traffic
        try lab.startAgent()
        try LabHarness.eventually("the restarted agent") { try lab.status().ready ? true : nil }

        client.waitUntilExit()
        let line = String(decoding: clientOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let counts = try JSONDecoder().decode(Counts.self, from: Data(line.utf8))
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        let accepted = String(decoding: serverOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n")
        print("restart: \(line.trimmingCharacters(in: .whitespacesAndNewlines)); server accepted \(accepted.filter { $0 == "accepted 80" }.count) on 80, \(accepted.filter { $0 == "accepted 81" }.count) on 81")

        #expect(counts.long_broken == 0, "the established connection broke")
        #expect(counts.echoes > 100)  // ~8 s at one exchange per 50 ms, give or take scheduling
        #expect(counts.attempted_80 > 50 && counts.succeeded_80 == counts.attempted_80)
        #expect(counts.attempted_81 > 10 && counts.succeeded_81 == 0)
        #expect(!accepted.contains("accepted 81"), "a packet of the denied port got through")
        #expect(accepted.filter { $0 == "accepted 80" }.count == counts.succeeded_80 + 1)  // + the long-lived one

        // Adopted, not rebuilt: the same endpoint ids and identities, one filter per hook.
        let after = try lab.endpoints().map { "\($0.namespace)/\($0.podName)=\($0.id)/\($0.identity)" }.sorted()
        #expect(after == before)
        #expect(try lab.filters(on: b.interfaceName) == filtersBefore)
        #expect(filtersBefore == LabHarness.FilterCount(ingress: 1, egress: 1))
    }
}
