import HedgerowCore
import HedgerowTestSupport
import Testing

@testable import HedgerowDatapath

/// Audit mode in the endpoint programs: a connection the enforced view allows but the audit
/// view would drop passes, once reported with verdict AUDIT, the reason and the rule that would
/// have dropped it; what the enforced view drops is still dropped; endpoints without audit
/// flags never consult the audit entries.
@Suite("Policy audit mode", .serialized) struct PolicyAuditTests {
    static let pod = DatapathFixture.pod
    static let peerA = "10.202.1.1"  // identity 2001
    static let peerB = "10.202.2.1"  // identity 2002
    static let identityA: UInt32 = 2001

    static var ipcache: [IPPrefix: SecurityIdentity] {
        [IPPrefix(Self.peerA + "/32")!: SecurityIdentity(rawValue: identityA),
         IPPrefix(Self.peerB + "/32")!: SecurityIdentity(rawValue: 2002)]
    }

    /// Ingress: enforced, only an explicit deny of tcp/23 from anyone. Audited with default
    /// deny: the audit view allows A on tcp/80 and denies anyone tcp/81 explicitly.
    static var policy: EndpointPolicy {
        EndpointPolicy(
            entries: [
                deny(.ingress, 0, 6, 23, 16, "enforced deny tcp/23"),
                audited(allow(.ingress, identityA, 6, 80, 16, "audit allow A tcp/80")),
                audited(deny(.ingress, 0, 6, 81, 16, "audit deny tcp/81")),
                audited(deny(.ingress, 0, 6, 23, 16, "enforced deny tcp/23")),
            ].sorted(),
            ingressAudit: .defaultDeny)
    }

    static func audited(_ entry: PolicyEntry) -> PolicyEntry {
        var entry = entry
        entry.key.view = .audit
        return entry
    }

    /// Runs `body` on a fresh datapath whose endpoint has `policy` and the peers in its ipcache.
    func withAuditedEndpoint(_ body: (DatapathFixture, EventCollector) async throws -> Void) async throws {
        try await DatapathFixture.withPolicy(Self.policy, ipcache: Self.ipcache, body)
    }

    @Test(.enabled(if: Privileged.shouldRun)) func auditedConnectionsPassAndAreReported() async throws {
        try await withAuditedEndpoint { fixture, events in
            // Allowed by both views: forwarded.
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 41000, 80)) == passed)
            // The audit view's default deny, and its explicit deny: both pass.
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerB, Self.pod, 41001, 80)) == passed)
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 41002, 81)) == passed)
            // Later packets of an audited connection are ordinary forwarded packets.
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerB, Self.pod, 41001, 80, .ack)) == passed)
            // The enforced view's deny still drops.
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 41003, 23)) == dropped)
            // Egress is not audited: the pod's own connections are not looked up in the audit view.
            #expect(try fixture.run(.fromEndpoint, .tcp(Self.pod, Self.peerB, 41004, 80)) == passed)

            #expect(try fixture.drops(.policyDenied, .ingress) == 0)
            #expect(try fixture.drops(.policyDeny, .ingress) == 1)

            let seen = await events.wait(for: 5)
            let audits = seen.filter { $0.verdict == .audit }
            #expect(audits.count == 2)
            let byDefault = try #require(audits.first { $0.ip.source == IPAddress(Self.peerB) })
            #expect(byDefault.dropReason == .policyDenied && byDefault.policyCookie == 0)
            #expect(byDefault.direction == .ingress && byDefault.traceReason == .new)
            let byRule = try #require(audits.first { $0.l4?.destinationPort == 81 })
            #expect(byRule.dropReason == .policyDeny)
            #expect(fixture.datapath.policy.origins(cookie: byRule.policyCookie) == ["audit deny tcp/81"])
            let allowed = try #require(seen.first { $0.l4?.destinationPort == 80 && $0.ip.source == IPAddress(Self.peerA) })
            #expect(allowed.verdict == .forwarded && allowed.dropReason == nil)
            #expect(fixture.datapath.policy.origins(cookie: allowed.policyCookie) == nil)
            #expect(seen.contains { $0.verdict == .dropped && $0.l4?.destinationPort == 23 })
        }
    }

    /// Switching the same rules from audit to enforce: the audited connection is now dropped
    /// (its conntrack entry is re-checked at the new revision), and nothing is reported as AUDIT.
    @Test(.enabled(if: Privileged.shouldRun)) func enforcingTheAuditedPolicyDropsWhatWasAudited() async throws {
        try await withAuditedEndpoint { fixture, events in
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerB, Self.pod, 41010, 80)) == passed)
            #expect(await events.wait(for: 1, where: { $0.verdict == .audit }).count == 1)

            let enforced = EndpointPolicy(
                ingressEnforced: true,
                entries: Self.policy.entries.filter { $0.key.view == .audit }.map { entry in
                    var entry = entry
                    entry.key.view = .enforced
                    return entry
                })
            try fixture.apply(enforced)
            events.clear()
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerB, Self.pod, 41010, 80, .ack)) == dropped)
            #expect(try fixture.run(.toEndpoint, .tcp(Self.peerA, Self.pod, 41011, 80)) == passed)
            let seen = await events.wait(for: 2)
            #expect(seen.contains { $0.verdict == .dropped && $0.dropReason == .policyDenied })
            #expect(!seen.contains { $0.verdict == .audit })
        }
    }
}
