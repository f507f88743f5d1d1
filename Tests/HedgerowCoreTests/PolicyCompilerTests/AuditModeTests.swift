import Testing

@testable import HedgerowCore

/// Audit mode in the compiler: audit-mode policies stay out of the enforced view and build the
/// audit view, which decides what is reported as AUDIT.
@Suite struct AuditModeTests {
    /// `yaml` with the mode annotation added to its metadata.
    static func annotated(_ yaml: String, mode: String = "audit") -> String {
        yaml.replacingOccurrences(
            of: "metadata: {", with: "metadata: {annotations: {policy.hedgerow.dev/mode: \(mode)}, ")
    }

    /// x/a accepts pod=b on 80/TCP.
    static let allowBToA = networkPolicyYAML(
        "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}], ports: [{port: 80}]}]",
        name: "allow-b")

    static func trace(_ compiler: PolicyCompiler, _ from: String, _ to: String, _ port: UInt16) throws -> PolicyTrace {
        try compiler.trace(PolicyTraceQuery(from: key(from), to: key(to), port: port))
    }

    @Test func theAnnotationSetsTheMode() throws {
        #expect(decodePolicy(Self.annotated(Self.allowBToA))?.mode == .audit)
        #expect(decodePolicy(Self.annotated(Self.allowBToA, mode: "enforce"))?.mode == .enforce)
        #expect(decodePolicy(Self.allowBToA)?.mode == .enforce)
        let cilium = Self.annotated(ciliumPolicyYAML("  endpointSelector: {}\n  ingress: [{fromEndpoints: [{}]}]"))
        #expect(decodePolicy(cilium)?.mode == .audit)
    }

    @Test func anUnknownModeIsAnErrorNamingTheAnnotation() {
        #expect(
            policyErrors(Self.annotated(Self.allowBToA, mode: "Audit"), file: "policies/x.yaml") == [
                "policies/x.yaml doc 1 (NetworkPolicy x/allow-b): metadata.annotations[\"policy.hedgerow.dev/mode\"]: unsupported value \"Audit\": supported values are \"enforce\", \"audit\""
            ])
    }

    @Test func anAuditOnlyPolicyEnforcesNothingAndAuditsItsDefaultDeny() throws {
        var cluster = TestCluster()
        cluster.add(Self.annotated(Self.allowBToA))
        let compiler = cluster.compiler()
        let policy = try #require(compiler.endpointPolicies[key("x/a")])
        #expect(!policy.ingressEnforced && !policy.egressEnforced)
        #expect(policy.ingressAudit == .defaultDeny && policy.egressAudit == .off)
        #expect(policy.entries.allSatisfy { $0.key.view == .audit })

        let allowed = try Self.trace(compiler, "x/b", "x/a", 80)
        #expect(allowed.isAllowed && !allowed.isAudited)
        let audited = try Self.trace(compiler, "x/c", "x/a", 80)
        #expect(audited.isAllowed && audited.isAudited)
        #expect(audited.ingress?.audited == .defaultDenied)
        #expect(audited.description.contains("ALLOWED (AUDIT)"))
        // Pods the audit policy does not select have no audit view.
        #expect(try !Self.trace(compiler, "x/c", "x/b", 80).isAudited)
    }

    @Test func anAuditedDenyBesideAnEnforcedAllow() throws {
        var cluster = TestCluster()
        cluster.add(Self.allowBToA)
        cluster.add(
            Self.annotated(
                ciliumPolicyYAML(
                    "  endpointSelector: {matchLabels: {pod: a}}\n  ingressDeny: [{fromEndpoints: [{matchLabels: {pod: b}}], toPorts: [{ports: [{port: \"80\"}]}]}]\n  enableDefaultDeny: {ingress: false}",
                    name: "deny-b")))
        let compiler = cluster.compiler()
        let policy = try #require(compiler.endpointPolicies[key("x/a")])
        #expect(policy.ingressEnforced && policy.ingressAudit == .defaultDeny)

        // Enforced allow, audited deny: passes, reported as AUDIT by the deny rule.
        let audited = try Self.trace(compiler, "x/b", "x/a", 80)
        #expect(audited.isAllowed && audited.isAudited)
        guard case .denied(let entries)? = audited.ingress?.audited else {
            Issue.record("expected an audited deny, got \(String(describing: audited.ingress?.audited))")
            return
        }
        #expect(entries.flatMap(\.origins).contains { $0.hasPrefix("CiliumNetworkPolicy x/deny-b") })
        // What the enforced view drops is dropped, never audited.
        let denied = try Self.trace(compiler, "x/c", "x/a", 80)
        #expect(!denied.isAllowed && !denied.isAudited)
    }

    @Test func auditEverythingTurnsEveryPolicyIntoAnAudit() throws {
        var cluster = TestCluster()
        cluster.add(Self.allowBToA)
        let compiler = PolicyCompiler(inputs: cluster.inputs, options: PolicyCompiler.Options(auditEverything: true))
        let policy = try #require(compiler.endpointPolicies[key("x/a")])
        #expect(!policy.ingressEnforced && policy.ingressAudit == .defaultDeny)
        #expect(try Self.trace(compiler, "x/c", "x/a", 80).isAudited)
        #expect(try !Self.trace(compiler, "x/b", "x/a", 80).isAudited)
    }

    /// The datapath's two LPM lookups decide the audit view as the rule says, for every remote
    /// and port around the entries.
    @Test func theAuditViewIsDecidableByTwoLookups() throws {
        var cluster = TestCluster()
        cluster.add(Self.allowBToA)
        for policy in IncrementalCompilerTests.policyPool() {
            cluster.policies.append(Self.auditCopy(policy))
        }
        let compiler = cluster.compiler()
        let remotes = [SecurityIdentity.any, .host, .world] + compiler.podIdentities.keys.sorted()
        var audited = 0
        for (_, policy) in compiler.endpointPolicies {
            for direction in TrafficDirection.allCases where policy.audit(direction) != .off {
                audited += 1
                for remote in remotes {
                    for (proto, port) in [(UInt8(6), UInt16(80)), (6, 81), (6, 85), (17, 81), (1, 0), (6, 22)] {
                        let simple = policy.verdict(
                            direction: direction, remote: remote, proto: proto, port: port, view: .audit)
                        let lpm = policy.lpmVerdict(
                            direction: direction, remote: remote, proto: proto, port: port, view: .audit)
                        #expect(simple.isAllowed == lpm.isAllowed && simple.dropReason == lpm.dropReason)
                    }
                }
            }
        }
        #expect(audited > 5)
    }

    @Test func switchingFromAuditToEnforceIsAnEnforcementChange() throws {
        var cluster = TestCluster()
        cluster.add(Self.annotated(Self.allowBToA))
        var compiler = cluster.compiler()
        let enforced = try #require(decodePolicy(Self.allowBToA))
        let update = compiler.upsert(policy: enforced)
        let change = try #require(update.endpoints.first { $0.endpoint == key("x/a") })
        #expect(change.ingressEnforcementChanged && change.needsDatapathUpdate)
        #expect(change.policy?.ingressAudit == .off && change.policy?.ingressEnforced == true)
        #expect(try !Self.trace(compiler, "x/c", "x/a", 80).isAllowed)
    }

    /// An audit-mode copy of a pool policy, under another name.
    static func auditCopy(_ policy: PolicyObject) -> PolicyObject {
        switch policy {
        case .kubernetes(var policy):
            policy.name += "-audit"
            policy.mode = .audit
            return .kubernetes(policy)
        case .cilium(var policy):
            policy.name += "-audit"
            policy.mode = .audit
            return .cilium(policy)
        }
    }
}
