import Foundation
import HedgerowTestSupport
import Testing

/// The impact preview end to end: traffic between pods, a dry run (`hpolicy diff`) of a policy
/// that denies some of it, then the real apply and the same traffic. The connections the dry
/// run predicts to become denied must be exactly those the datapath then drops.
@Suite(.serialized) struct PolicyImpactLabTests {
    /// x/b accepts only pods labelled pod=a of its own namespace, and only on 80/TCP.
    static let policy = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {namespace: x, name: b-80-from-a}
        spec:
          podSelector: {matchLabels: {pod: b}}
          ingress:
            - from: [{podSelector: {matchLabels: {pod: a}}}]
              ports: [{port: 80, protocol: TCP}]
        """

    /// (client, port) pairs towards x/b: one stays allowed, three become denied.
    static let traffic: [(client: String, port: Int)] = [("x/a", 80), ("x/a", 81), ("y/a", 80), ("y/a", 81)]

    /// "SOURCE -> DESTINATION:PORT".
    typealias Connection = String

    @Test(.enabled(if: Privileged.shouldRun))
    func dryRunPredictsExactlyTheDropsOfTheRealApply() throws {
        let lab = try LabHarness(prefix: "e2i")
        defer { lab.down() }
        let endpoints = try LabHarness.eventually("3 endpoints") { try lab.endpoints().count == 3 ? try lab.endpoints() : nil }
        let serverIP = try #require(endpoints.first { $0.namespace == "x" && $0.podName == "b" }?.ips.first)
        let echo = try lab.spawn("x/b", [TestPaths.binary("hlab"), "serve", "--tcp", "80,81"])
        defer { echo.terminate(); echo.waitUntilExit() }
        func probe(_ client: String, _ port: Int) throws -> Bool {
            try lab.execStatus(
                client, [TestPaths.binary("hlab"), "probe", "\(serverIP):\(port)", "--protocol", "tcp", "--timeout", "500ms"]) == 0
        }
        try LabHarness.eventually("the echo server") { try probe("x/a", 80) && probe("x/a", 81) ? true : nil }
        for (client, port) in Self.traffic { #expect(try probe(client, port), "\(client) -> x/b:\(port) before the policy") }

        let file = NSTemporaryDirectory() + UniqueName.make("impact") + ".yaml"
        try Self.policy.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }

        // The flows reach the ring shortly after the packets: wait until all four connections are seen.
        let expected: Set<Connection> = ["x/a -> x/b:81", "y/a -> x/b:80", "y/a -> x/b:81"]
        let dryRun = try LabHarness.eventually("the dry run to see the traffic") { () -> (status: Int32, predicted: Set<Connection>)? in
            let result = try Shell.capture(lab.hpolicyCommand(["diff", "-f", file, "-o", "json"]))
            let predicted = try Self.newlyDenied(result.stdout)
            return predicted.isSuperset(of: expected) ? (result.status, predicted) : nil
        }
        #expect(dryRun.status == 3)
        #expect(dryRun.predicted == expected)
        // The dry run changed nothing, and `apply --dry-run` reports the same with the table.
        for (client, port) in Self.traffic { #expect(try probe(client, port), "\(client) -> x/b:\(port) after the dry run") }
        let table = try Shell.capture(lab.hpolicyCommand(["apply", "--dry-run", "-f", file, "--since", "1h"]))
        #expect(table.status == 3)
        #expect(table.stdout.contains("NetworkPolicy x/b-80-from-a created (dry run)"))
        #expect(table.stdout.contains("SOURCE") && table.stdout.contains("y/a") && table.stdout.contains("81/TCP"))

        _ = try lab.hpolicy(["apply", "-f", file])
        for (client, port) in Self.traffic {
            #expect(try probe(client, port) == !expected.contains("\(client) -> x/b:\(port)"), "\(client) -> x/b:\(port)")
        }
        let dropped = try LabHarness.eventually("the drops in hflow") { () -> Set<Connection>? in
            let output = try Shell.run([
                TestPaths.binary("hflow"), "observe", "--server", "unix://\(lab.agentSocket())", "--last", "5000",
                "--verdict", "DROPPED", "-o", "json",
            ])
            let dropped = try Self.droppedConnections(output)
            return dropped.isSuperset(of: expected) ? dropped : nil
        }
        #expect(dropped == dryRun.predicted)
        let after = try Shell.capture(lab.hpolicyCommand(["diff", "-f", file]))
        #expect(after.status == 0, "once applied, the same file changes nothing")
    }

    /// The connections a `diff -o json` output says become denied.
    static func newlyDenied(_ json: String) throws -> Set<Connection> {
        guard let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let impact = document["impact"] as? [[String: Any]]
        else { return [] }
        return Set(impact.compactMap { change in
            guard change["new_verdict"] as? String == "DENIED", let source = change["source"] as? String,
                let destination = change["destination"] as? String, let port = change["port"] as? Int
            else { return nil }
            return "\(source) -> \(destination):\(port)"
        })
    }

    /// The (source pod, destination pod, port) of each DROPPED flow, one JSON object per line.
    static func droppedConnections(_ lines: String) throws -> Set<Connection> {
        var result: Set<Connection> = []
        for line in lines.split(separator: "\n") where !line.isEmpty {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard let flow = object?["flow"] as? [String: Any],
                let source = flow["source"] as? [String: Any], let destination = flow["destination"] as? [String: Any],
                let tcp = (flow["l4"] as? [String: Any])?["TCP"] as? [String: Any],
                let port = tcp["destination_port"] as? Int
            else { continue }
            func pod(_ end: [String: Any]) -> String { "\(end["namespace"] as? String ?? "")/\(end["pod_name"] as? String ?? "")" }
            result.insert("\(pod(source)) -> \(pod(destination)):\(port)")
        }
        return result
    }
}
