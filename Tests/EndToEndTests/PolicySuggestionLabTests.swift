import Foundation
import HedgerowTestSupport
import Testing
import Yams

/// `hpolicy suggest` end to end: traffic between pods, the suggestion for namespace x, then the
/// checks a user would make (validate, diff) and the real apply. The learned traffic must still
/// pass and anything else to or from x's pods must be dropped.
@Suite(.serialized) struct PolicySuggestionLabTests {
    /// (client, server, port) over TCP.
    typealias Probe = (client: String, server: String, port: Int)

    static let learned: [Probe] = [("x/a", "x/b", 80), ("y/a", "x/b", 80), ("x/b", "y/a", 80)]
    static let unobserved: [Probe] = [("x/a", "x/b", 81), ("y/a", "x/b", 81), ("x/a", "y/a", 80)]

    @Test(.enabled(if: Privileged.shouldRun))
    func suggestionKeepsTheLearnedTrafficAndDropsTheRest() throws {
        let lab = try LabHarness(prefix: "e2q")
        defer { lab.down() }
        let endpoints = try LabHarness.eventually("3 endpoints") { try lab.endpoints().count == 3 ? try lab.endpoints() : nil }
        var addresses: [String: String] = [:]
        for endpoint in endpoints { addresses["\(endpoint.namespace)/\(endpoint.podName)"] = endpoint.ips.first }
        var servers: [Process] = []
        defer { for server in servers { server.terminate(); server.waitUntilExit() } }
        for pod in ["x/b", "y/a"] { servers.append(try lab.spawn(pod, [TestPaths.binary("hlab"), "serve", "--tcp", "80,81"])) }
        func probe(_ probe: Probe) throws -> Bool {
            let target = "\(addresses[probe.server] ?? "?"):\(probe.port)"
            return try lab.execStatus(
                probe.client, [TestPaths.binary("hlab"), "probe", target, "--protocol", "tcp", "--timeout", "500ms"]) == 0
        }

        let nothingYet = try Shell.capture(lab.hpolicyCommand(["suggest", "-n", "x", "--since", "1h"]))
        #expect(nothingYet.status == 1 && nothingYet.stdout.isEmpty)
        #expect(nothingYet.stderr.contains("no forwarded flows of namespace x"))

        // Only learned patterns are sent until the policies are applied.
        try LabHarness.eventually("the echo servers") { try probe(Self.learned[0]) && probe(Self.learned[2]) ? true : nil }
        for connection in Self.learned { #expect(try probe(connection), "\(connection) before the policies") }

        // The flows reach the ring shortly after the packets: wait until all three are learned.
        let suggested = try LabHarness.eventually("the suggestion to see the traffic") { () -> String? in
            let result = try Shell.capture(lab.hpolicyCommand(["suggest", "-n", "x", "--since", "1h"]))
            guard result.status == 0 else { return nil }
            return try Self.rules(result.stdout) == Self.expectedRules ? result.stdout : nil
        }
        let file = NSTemporaryDirectory() + UniqueName.make("suggested") + ".yaml"
        try suggested.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }

        let valid = try Shell.run([TestPaths.binary("hpolicy"), "validate", "-f", file])
        #expect(valid.contains("valid: 2 policies"))
        let diff = try Shell.capture(lab.hpolicyCommand(["diff", "-f", file]))
        #expect(diff.status == 0, "nothing observed becomes denied: \(diff.stdout)")

        let applied = try lab.hpolicy(["apply", "-f", file])
        #expect(applied.contains("NetworkPolicy x/suggested-pod-a created") && applied.contains("NetworkPolicy x/suggested-pod-b created"))
        for connection in Self.learned { #expect(try probe(connection), "\(connection) is learned") }
        for connection in Self.unobserved { #expect(try !probe(connection), "\(connection) was never seen") }

        let expectedDrops = Set(Self.unobserved.map { "\($0.client) -> \($0.server):\($0.port)" })
        let dropped = try LabHarness.eventually("the drops in hflow") { () -> Set<String>? in
            let output = try Shell.run([
                TestPaths.binary("hflow"), "observe", "--server", "unix://\(lab.agentSocket())", "--last", "5000",
                "--verdict", "DROPPED", "-o", "json",
            ])
            let dropped = try PolicyImpactLabTests.droppedConnections(output)
            return dropped.isSuperset(of: expectedDrops) ? dropped : nil
        }
        #expect(dropped == expectedDrops)
    }

    /// Per policy, its rules as "ingress <peer> <ports>" lines.
    static let expectedRules: [String: [String]] = [
        "suggested-pod-a": [
            "egress ns=kube-system k8s-app=kube-dns 53/TCP,53/UDP", "egress pod=b 80/TCP",
        ],
        "suggested-pod-b": [
            "ingress pod=a 80/TCP", "ingress ns=y pod=a 80/TCP",
            "egress ns=kube-system k8s-app=kube-dns 53/TCP,53/UDP", "egress ns=y pod=a 80/TCP",
        ],
    ]

    /// The rules of a suggestion, read back with a YAML parser.
    static func rules(_ yaml: String) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for case let document as [String: Any] in try Yams.load_all(yaml: yaml) {
            guard let name = (document["metadata"] as? [String: Any])?["name"] as? String,
                let spec = document["spec"] as? [String: Any]
            else { continue }
            var lines: [String] = []
            for (direction, peersKey) in [("ingress", "from"), ("egress", "to")] {
                for case let rule as [String: Any] in spec[direction] as? [Any] ?? [] {
                    for case let peer as [String: Any] in rule[peersKey] as? [Any] ?? [] {
                        let namespace = Self.matchLabels(peer["namespaceSelector"])["kubernetes.io/metadata.name"]
                        let labels = Self.matchLabels(peer["podSelector"]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                        let ports = (rule["ports"] as? [[String: Any]] ?? []).map { "\($0["port"] ?? "")/\($0["protocol"] ?? "")" }
                        lines.append(
                            ([direction] + (namespace.map { ["ns=\($0)"] } ?? []) + labels + [ports.joined(separator: ",")])
                                .joined(separator: " "))
                    }
                }
            }
            result[name] = lines
        }
        return result
    }

    private static func matchLabels(_ selector: Any?) -> [String: String] {
        ((selector as? [String: Any])?["matchLabels"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
    }
}
