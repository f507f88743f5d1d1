import Foundation
import HedgerowTestSupport
import Testing

/// No leak under change: while x/a hammers x/b on an allowed port (80: short connections one
/// after another, plus one long-lived connection exchanging a line every 20 ms) and a denied
/// port (81: TCP and UDP), 50 `hpolicy apply` calls in a row change the policy set without
/// changing what it allows. Counted at the server: not one connection, datagram or TCP segment
/// on 81 arrives; the long-lived connection never breaks; every short connection succeeds, and
/// the agent reports no drop involving port 80.
@Suite(.serialized) struct PolicyChurnLabTests {
    static let allowedPort = 80, deniedPort = 81, updates = 50

    /// Update `step`: the same allow (x/a -> x/b:80), formulated two ways in turn, next to
    /// unrelated rules that change every step (x/b from y/a on 9000+step, y/a on 1000+step, and
    /// every third step a deny of world on 7000), so that every apply reconfigures every policy.
    static func policies(step: Int) -> String {
        let web =
            step.isMultiple(of: 2)
            ? """
              - from: [{podSelector: {matchLabels: {pod: a}}}]
                ports: [{port: 80, protocol: TCP}]
            """
            : """
              - from: [{podSelector: {matchExpressions: [{key: pod, operator: In, values: [a, absent-\(step)]}]}}]
                ports: [{port: http}]
            """
        let worldDeny =
            step.isMultiple(of: 3)
            ? """
              ingressDeny:
                - fromEntities: [world]
                  toPorts: [{ports: [{port: "7000", protocol: TCP}]}]
            """ : ""
        return """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {namespace: x, name: b-web}
            spec:
              podSelector: {matchLabels: {pod: b}}
              ingress:
            \(web)
            ---
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {namespace: x, name: b-extra}
            spec:
              endpointSelector: {matchLabels: {pod: b}}
              ingress:
                - fromEndpoints: [{matchLabels: {pod: a, "k8s:io.kubernetes.pod.namespace": y}}]
                  toPorts: [{ports: [{port: "\(9000 + step)", protocol: TCP}]}]
            \(worldDeny)
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {namespace: y, name: a-unrelated}
            spec:
              podSelector: {matchLabels: {pod: a}}
              ingress:
                - ports: [{port: \(1000 + step), protocol: TCP}]
            """
    }

    struct ServerCounts: Codable, Equatable {
        var allowed_connections: Int
        var denied_connections: Int
        var denied_datagrams: Int
        var denied_segments: Int
    }

    struct ClientResult: Codable {
        var long_exchanges: Int
        var long_error: String?
        var short_ok: Int
        var short_failed: Int
        var short_errors: [String]
        var denied_connected: Int
        var denied_attempts: Int
        var denied_datagrams_sent: Int
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func fiftyUpdatesLeakNothingAndBreakNothing() throws {
        let lab = try LabHarness(prefix: "e2u")
        defer { lab.down() }
        let endpoints = try LabHarness.eventually("3 endpoints") { try lab.endpoints().count == 3 ? try lab.endpoints() : nil }
        let serverIP = try #require(endpoints.first { $0.namespace == "x" && $0.podName == "b" }?.ips.first)

        let work = NSTemporaryDirectory() + UniqueName.make("churn")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let (serverScript, clientScript) = ("\(work)/server.py", "\(work)/client.py")
        try ChurnTraffic.server.write(toFile: serverScript, atomically: true, encoding: .utf8)
        try ChurnTraffic.client.write(toFile: clientScript, atomically: true, encoding: .utf8)
        let countsFile = "\(work)/counts.json", stopFile = "\(work)/stop", resultFile = "\(work)/result.json"

        let server = try lab.spawn("x/b", ["python3", serverScript, "\(Self.allowedPort)", "\(Self.deniedPort)", countsFile])
        defer { LabProcess.stop(server) }
        try LabHarness.eventually("the counting server") { FileManager.default.fileExists(atPath: countsFile + ".ready") ? true : nil }
        func probe(_ port: Int) throws -> Bool {
            try lab.execStatus("x/a", [TestPaths.binary("hlab"), "probe", "\(serverIP):\(port)", "--timeout", "500ms"]) == 0
        }
        // Both ports answer without policy: a zero count later means "denied", not "not listening".
        try LabHarness.eventually("both ports open before any policy") { try probe(Self.allowedPort) && probe(Self.deniedPort) ? true : nil }

        let policyFile = "\(work)/policies.yaml"
        try Self.policies(step: 0).write(toFile: policyFile, atomically: true, encoding: .utf8)
        #expect(try lab.hpolicy(["apply", "-f", policyFile]).contains("enforced"))
        #expect(try probe(Self.allowedPort))
        #expect(try !probe(Self.deniedPort))

        // Counts settle (the file is rewritten every 100 ms); from here on 81 must not move.
        usleep(400_000)
        let baseline = try readCounts(countsFile)

        let dropsFile = "\(work)/drops-port-80.json"
        FileManager.default.createFile(atPath: dropsFile, contents: nil)
        let drops = Process()
        drops.executableURL = URL(fileURLWithPath: TestPaths.binary("hflow"))
        drops.arguments = [
            "observe", "--server", "unix://\(lab.agentSocket())", "--follow", "--verdict", "DROPPED",
            "--port", "\(Self.allowedPort)", "-o", "json",
        ]
        drops.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: dropsFile))
        drops.standardError = FileHandle.nullDevice
        try drops.run()
        // SIGKILL: the test process may have spawned it with SIGTERM blocked (with --follow it
        // flushes every flow, so nothing printed is lost).
        defer { LabProcess.stop(drops, signal: SIGKILL) }

        let client = try lab.spawn("x/a", [
            "python3", clientScript, serverIP, "\(Self.allowedPort)", "\(Self.deniedPort)", stopFile, resultFile,
        ])
        defer { LabProcess.stop(client) }
        try LabHarness.eventually("the client's traffic") {
            try readCounts(countsFile).allowed_connections > baseline.allowed_connections + 10 ? true : nil
        }

        var revisions: [String] = []
        for step in 1...Self.updates {
            try Self.policies(step: step).write(toFile: policyFile, atomically: true, encoding: .utf8)
            let result = try Shell.capture(lab.hpolicyCommand(["apply", "-f", policyFile]))
            #expect(result.status == 0, "update \(step): \(result.stderr)")
            #expect(result.stdout.contains("configured"), "update \(step) changed nothing: \(result.stdout)")
            revisions.append(result.stdout.split(separator: "\n").last.map(String.init) ?? "")
        }
        #expect(Set(revisions).count == Self.updates, "every update is a new revision: \(revisions)")

        FileManager.default.createFile(atPath: stopFile, contents: nil)
        client.waitUntilExit()
        #expect(client.terminationStatus == 0)
        LabProcess.stop(server)
        usleep(500_000)  // the flow reader forwards events at least every 50 ms
        LabProcess.stop(drops, signal: SIGKILL)

        let outcome = try JSONDecoder().decode(ClientResult.self, from: Data(contentsOf: URL(fileURLWithPath: resultFile)))
        let final = try readCounts(countsFile)
        // Nothing reached the denied port, counted where it would arrive.
        #expect(final.denied_connections == baseline.denied_connections)
        #expect(final.denied_datagrams == baseline.denied_datagrams)
        #expect(final.denied_segments == baseline.denied_segments)
        #expect(outcome.denied_connected == 0)
        #expect(outcome.denied_attempts > Self.updates && outcome.denied_datagrams_sent > Self.updates)
        // The allowed port stayed open, the established connection unbroken.
        #expect(outcome.long_error == nil, "long-lived connection: \(outcome.long_error ?? "")")
        #expect(outcome.long_exchanges > Self.updates)
        #expect(outcome.short_failed == 0, "short connections failed: \(outcome.short_errors)")
        #expect(outcome.short_ok > Self.updates)
        // The follower may fall behind under this load and be told so (lost_events lines): the
        // counts at the server above are the proof; the flows it did get must show no port-80 drop.
        let lines = try String(contentsOfFile: dropsFile, encoding: .utf8).split(separator: "\n").filter { !$0.isEmpty }
        let dropped = lines.filter { $0.contains("\"flow\"") }
        #expect(dropped.isEmpty, "drops involving port 80: \(dropped.prefix(3))")
        let followerLost = lines.count - dropped.count
        print("churn: \(Self.updates) updates; client \(outcome); server \(final) (baseline \(baseline)); follower lost-event notices \(followerLost)")
    }

    private func readCounts(_ path: String) throws -> ServerCounts {
        try JSONDecoder().decode(ServerCounts.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
