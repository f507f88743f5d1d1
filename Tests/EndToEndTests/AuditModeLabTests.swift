import Foundation
import HedgerowTestSupport
import Testing

/// Audit mode end to end: a policy annotated `policy.hedgerow.dev/mode: audit` drops nothing,
/// and the connections it would drop show as AUDIT flows naming it; the impact preview of
/// enforcing it predicts exactly those connections, and enforcing it then drops exactly them.
/// The agent-wide `--policy-audit` does the same for an unannotated policy.
@Suite(.serialized) struct AuditModeLabTests {
    /// The impact preview's policy (x/b accepts pod=a of x on 80/TCP), with a mode annotation.
    static func policy(mode: String?) -> String {
        guard let mode else { return PolicyImpactLabTests.policy }
        return PolicyImpactLabTests.policy.replacingOccurrences(
            of: "metadata: {", with: "metadata: {annotations: {policy.hedgerow.dev/mode: \(mode)}, ")
    }

    static let traffic = PolicyImpactLabTests.traffic
    /// "SOURCE -> x/b:PORT" of the connections the policy would drop.
    static let wouldDrop: Set<String> = ["x/a -> x/b:81", "y/a -> x/b:80", "y/a -> x/b:81"]

    @Test(.enabled(if: Privileged.shouldRun))
    func auditFlowsNameThePolicyWhileTrafficFlowsAndEnforcingDropsExactlyThem() throws {
        let lab = try LabHarness(prefix: "e2au")
        defer { lab.down() }
        let server = try Server(lab)
        defer { server.stop() }

        let file = try Self.write(Self.policy(mode: "audit"))
        defer { try? FileManager.default.removeItem(atPath: file) }
        try lab.hpolicy(["apply", "-f", file])
        let listed = try lab.hpolicy(["get"]).split(separator: "\n").first { $0.contains("b-80-from-a") }
        #expect(listed.map { $0.hasSuffix("audit") } == true, "hpolicy get shows the mode: \(listed ?? "")")

        // Everything still passes, twice over (the second round finds conntrack entries).
        for _ in 0..<2 {
            for (client, port) in Self.traffic { #expect(try server.probe(client, port), "\(client) -> x/b:\(port) audited") }
        }
        let audited = try LabHarness.eventually("AUDIT flows of the three connections") { () -> [AuditFlow]? in
            let flows = try Self.observe(lab, ["--verdict", "AUDIT"])
            return Set(flows.map(\.connection)).isSuperset(of: Self.wouldDrop) ? flows : nil
        }
        #expect(Set(audited.map(\.connection)) == Self.wouldDrop)
        #expect(audited.allSatisfy { $0.deniedBy == ["NetworkPolicy x/b-80-from-a"] }, "\(audited)")
        #expect(audited.allSatisfy { $0.dropReason == "POLICY_DENIED" })
        #expect(try Self.observe(lab, ["--verdict", "DROPPED"]).isEmpty)

        // The impact preview of enforcing it: exactly the audited connections become denied.
        let enforced = try Self.write(Self.policy(mode: nil))
        defer { try? FileManager.default.removeItem(atPath: enforced) }
        let preview = try Shell.capture(lab.hpolicyCommand(["diff", "-f", enforced, "-o", "json"]))
        #expect(preview.status == 3)
        #expect(try PolicyImpactLabTests.newlyDenied(preview.stdout) == Self.wouldDrop)

        try lab.hpolicy(["apply", "-f", enforced])
        for (client, port) in Self.traffic {
            let expected = !Self.wouldDrop.contains("\(client) -> x/b:\(port)")
            #expect(try server.probe(client, port) == expected, "\(client) -> x/b:\(port) enforced")
        }
        let dropped = try LabHarness.eventually("DROPPED flows after enforcing") { () -> Set<String>? in
            let flows = Set(try Self.observe(lab, ["--verdict", "DROPPED"]).map(\.connection))
            return flows.isSuperset(of: Self.wouldDrop) ? flows : nil
        }
        #expect(dropped == Self.wouldDrop)
    }

    @Test(.enabled(if: Privileged.shouldRun))
    func theAgentWideSwitchAuditsEveryPolicy() throws {
        let lab = try LabHarness(prefix: "e2aw")
        defer { lab.down() }
        try lab.restartAgent(with: ["--policy-audit"])
        let server = try Server(lab)
        defer { server.stop() }

        let file = try Self.write(Self.policy(mode: nil))
        defer { try? FileManager.default.removeItem(atPath: file) }
        try lab.hpolicy(["apply", "-f", file])
        #expect(try lab.hpolicy(["get"]).split(separator: "\n").contains { $0.contains("b-80-from-a") && $0.hasSuffix("audit") })
        for (client, port) in Self.traffic { #expect(try server.probe(client, port), "\(client) -> x/b:\(port)") }
        let audited = try LabHarness.eventually("AUDIT flows") { () -> Set<String>? in
            let flows = Set(try Self.observe(lab, ["--verdict", "AUDIT"]).map(\.connection))
            return flows.isSuperset(of: Self.wouldDrop) ? flows : nil
        }
        #expect(audited == Self.wouldDrop)
        #expect(try Self.observe(lab, ["--verdict", "DROPPED"]).isEmpty)
    }

    // MARK: Pieces

    /// An echo server on x/b's 80 and 81 and probes to it.
    struct Server {
        let lab: LabHarness
        let address: String
        let process: Process

        init(_ lab: LabHarness) throws {
            self.lab = lab
            address = try LabHarness.eventually("3 endpoints") { () -> String? in
                let list = try lab.endpoints()
                guard list.count == 3 else { return nil }
                return list.first { $0.namespace == "x" && $0.podName == "b" }?.ips.first
            }
            process = try lab.spawn("x/b", [TestPaths.binary("hlab"), "serve", "--tcp", "80,81"])
            let address = address
            try LabHarness.eventually("the echo server") { () -> Bool? in
                try lab.execStatus(
                    "x/a", [TestPaths.binary("hlab"), "probe", "\(address):80", "--protocol", "tcp", "--timeout", "500ms"])
                    == 0 ? true : nil
            }
        }

        func probe(_ client: String, _ port: Int) throws -> Bool {
            try lab.execStatus(
                client, [TestPaths.binary("hlab"), "probe", "\(address):\(port)", "--protocol", "tcp", "--timeout", "500ms"])
                == 0
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }

    struct AuditFlow: CustomStringConvertible {
        var connection: String
        var deniedBy: [String]
        var dropReason: String?
        var description: String { "\(connection) denied by \(deniedBy) (\(dropReason ?? "-"))" }
    }

    static func write(_ policy: String) throws -> String {
        let file = NSTemporaryDirectory() + UniqueName.make("audit") + ".yaml"
        try policy.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Forward flows to x/b's TCP ports as "SOURCE -> x/b:PORT", with the policies that deny them.
    static func observe(_ lab: LabHarness, _ filter: [String]) throws -> [AuditFlow] {
        let output = try Shell.run(
            [TestPaths.binary("hflow"), "observe", "--server", "unix://\(lab.agentSocket())", "--since", "10m", "-o", "json",
             "--to-pod", "x/b", "--protocol", "tcp", "--tcp-flags", "SYN"] + filter)
        return try output.split(separator: "\n").compactMap { line -> AuditFlow? in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard let flow = object?["flow"] as? [String: Any],
                let source = flow["source"] as? [String: Any],
                let l4 = (flow["l4"] as? [String: Any])?["TCP"] as? [String: Any],
                let port = l4["destination_port"] as? Int,
                let namespace = source["namespace"] as? String, let pod = source["pod_name"] as? String
            else { return nil }
            if (flow["is_reply"] as? Bool) == true { return nil }
            let deniedBy = (flow["ingress_denied_by"] as? [[String: Any]] ?? []).map { policy in
                "\(policy["kind"] as? String ?? "") \(policy["namespace"] as? String ?? "")/\(policy["name"] as? String ?? "")"
            }
            return AuditFlow(
                connection: "\(namespace)/\(pod) -> x/b:\(port)", deniedBy: deniedBy,
                dropReason: flow["drop_reason_desc"] as? String)
        }
    }
}
