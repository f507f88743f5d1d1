import Testing

@testable import HedgerowCore

@Suite struct PortPrefixTests {
    @Test func rangesBecomeTheFewestPrefixes() {
        #expect(PortPrefix.covering(80...80).map(\.description) == ["80"])
        #expect(PortPrefix.covering(80...81).map(\.description) == ["80-81"])
        #expect(PortPrefix.covering(79...81).map(\.description) == ["79", "80-81"])
        #expect(PortPrefix.covering(0...65535).map(\.description) == ["*"])
        #expect(PortPrefix.covering(1...65535).count == 16)
        #expect(
            PortPrefix.covering(1024...65535).map(\.description) == [
                "1024-2047", "2048-4095", "4096-8191", "8192-16383", "16384-32767", "32768-65535",
            ])
    }

    @Test func prefixesCoverExactlyTheRange() {
        for (low, high) in [(1, 1), (3, 17), (1000, 1999), (65000, 65535), (0, 100), (32767, 32769)] {
            let prefixes = PortPrefix.covering(UInt16(low)...UInt16(high))
            let covered = prefixes.reduce(0) { $0 + $1.range.count }
            #expect(covered == high - low + 1)
            #expect(prefixes.allSatisfy { $0.range.lowerBound >= low && $0.range.upperBound <= high })
        }
    }

    @Test func containment() {
        let wide = PortPrefix(port: 80, length: 15)
        #expect(wide.contains(81) && !wide.contains(82))
        #expect(wide.contains(PortPrefix(port: 81, length: 16)))
        #expect(!PortPrefix(port: 81, length: 16).contains(wide))
        #expect(PortPrefix.all.contains(wide))
    }
}

@Suite struct EndpointPolicyTests {
    let web = SecurityIdentity(rawValue: 300)

    func key(_ remote: SecurityIdentity, _ proto: UInt8, _ port: UInt16 = 0, _ length: UInt8 = 0) -> PolicyEntry.Key {
        PolicyEntry.Key(direction: .ingress, remote: remote, proto: proto, port: port, portPrefixLength: length)
    }

    @Test func aDenyDropsTheAllowsItCovers() {
        var builder = EntryBuilder()
        builder.add(key(web, 6, 80, 16), .allow, origin: "allow-80")
        builder.add(key(web, 6, 81, 16), .allow, origin: "allow-81")
        builder.add(key(web, 6, 80, 15), .deny, origin: "deny-80-81")
        builder.add(key(web, 17, 53, 16), .allow, origin: "dns")
        builder.add(key(web, 6, 443, 16), .allow, origin: "https")
        builder.add(key(web, 6, 443, 16), .deny, origin: "no-https")
        #expect(
            builder.build().map(\.description) == [
                "ingress 300 6:80/15 deny", "ingress 300 6:443/16 deny", "ingress 300 17:53/16 allow",
            ])
    }

    @Test func aDenyOfAnyProtocolCoversEverything() {
        var builder = EntryBuilder()
        builder.add(key(web, 6, 80, 16), .allow, origin: "a")
        builder.add(key(web, 0), .deny, origin: "d")
        builder.add(key(.any, 6, 80, 16), .allow, origin: "other remote")
        #expect(builder.build().map(\.description) == ["ingress any 6:80/16 allow", "ingress 300 any:* deny"])
    }

    @Test func aNarrowerDenyKeepsTheWiderAllow() {
        var builder = EntryBuilder()
        builder.add(key(web, 0), .allow, origin: "everything")
        builder.add(key(web, 6, 22, 16), .deny, origin: "no-ssh")
        let policy = EndpointPolicy(ingressEnforced: true, entries: builder.build())
        #expect(policy.entries.count == 2)
        #expect(!policy.verdict(direction: .ingress, remote: web, proto: 6, port: 22).isAllowed)
        #expect(policy.verdict(direction: .ingress, remote: web, proto: 6, port: 23).isAllowed)
        #expect(policy.verdict(direction: .ingress, remote: web, proto: 1, port: 0).isAllowed)
    }

    @Test func originsAreMergedPerKey() {
        var builder = EntryBuilder()
        builder.add(key(web, 6, 80, 16), .allow, origin: "b")
        builder.add(key(web, 6, 80, 16), .allow, origin: "a")
        builder.add(key(web, 6, 80, 16), .allow, origin: "a")
        #expect(builder.build()[0].origins == ["a", "b"])
    }

    @Test func verdictsFollowTheDocumentedRule() {
        let policy = EndpointPolicy(
            ingressEnforced: true, egressEnforced: false,
            entries: [
                PolicyEntry(key: key(web, 6, 80, 16), action: .allow),
                PolicyEntry(key: key(.any, 6, 80, 16), action: .deny),
                PolicyEntry(
                    key: PolicyEntry.Key(direction: .egress, remote: web, proto: 17, port: 53, portPrefixLength: 16),
                    action: .deny),
            ].sorted())
        #expect(policy.verdict(direction: .ingress, remote: web, proto: 6, port: 80).dropReason == 181)
        #expect(policy.verdict(direction: .ingress, remote: web, proto: 6, port: 81) == .defaultDenied)
        #expect(policy.verdict(direction: .ingress, remote: web, proto: 6, port: 81).dropReason == 133)
        #expect(policy.verdict(direction: .egress, remote: web, proto: 6, port: 81) == .notEnforced)
        #expect(policy.verdict(direction: .egress, remote: web, proto: 17, port: 53).dropReason == 181)
    }

    /// The guarantee the datapath relies on: two longest-prefix lookups decide as the simple rule.
    @Test func twoLPMLookupsAgreeWithTheRuleOnCompiledPolicies() throws {
        var cluster = TestCluster()
        for policy in IncrementalCompilerTests.policyPool() { cluster.policies.append(policy) }
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {}\n  ingress: [{toPorts: [{ports: [{port: \"0\", protocol: TCP}]}]}]\n  ingressDeny: [{fromEntities: [cluster], toPorts: [{ports: [{port: \"80\", endPort: 95, protocol: TCP}]}]}]",
                name: "mix"))
        let compiler = cluster.compiler()
        let remotes = [SecurityIdentity.any, .host, .world] + compiler.podIdentities.keys.sorted()
        for (pod, policy) in compiler.endpointPolicies {
            for direction in TrafficDirection.allCases {
                for remote in remotes {
                    for proto: UInt8 in [1, 6, 17, 132] {
                        for port: UInt16 in [22, 53, 79, 80, 81, 90, 95, 96, 8080] {
                            let simple = policy.verdict(direction: direction, remote: remote, proto: proto, port: port)
                            let lpm = policy.lpmVerdict(direction: direction, remote: remote, proto: proto, port: port)
                            #expect(
                                simple.isAllowed == lpm.isAllowed && simple.dropReason == lpm.dropReason,
                                "\(pod) \(direction) \(remote) \(proto)/\(port)")
                        }
                    }
                }
            }
        }
    }

    @Test func compiledEntriesAreSortedUniqueAndNeverShadowedByADeny() {
        var cluster = TestCluster()
        cluster.policies = IncrementalCompilerTests.policyPool()
        for policy in cluster.compiler().endpointPolicies.values {
            #expect(policy.entries == policy.entries.sorted())
            #expect(Set(policy.entries.map(\.key)).count == policy.entries.count)
            let denies = policy.entries.filter { $0.action == .deny }
            for allow in policy.entries where allow.action == .allow {
                #expect(!denies.contains { allow.key.isCovered(by: $0.key) })
            }
            #expect(policy.entries.allSatisfy { $0.key.proto != 0 || $0.key.portPrefixLength == 0 })
        }
    }
}

@Suite struct PolicyTraceTests {
    static func compiler() -> PolicyCompiler {
        var cluster = TestCluster()
        cluster.add(networkPolicyYAML("  podSelector: {}", name: "deny-all"))
        cluster.add(
            networkPolicyYAML(
                "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}], ports: [{port: 80}]}]",
                name: "allow-b"))
        cluster.add(
            networkPolicyYAML(
                "  podSelector: {matchLabels: {pod: c}}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 1.1.1.0/24}}]}]",
                name: "egress-c"))
        return cluster.compiler()
    }

    @Test func allowedNamesTheRule() throws {
        let trace = try Self.compiler().trace(PolicyTraceQuery(from: key("x/b"), to: key("x/a"), port: 80))
        #expect(trace.isAllowed && trace.dropReason == nil)
        #expect(
            trace.description.hasSuffix(
                """
                80/TCP: ALLOWED
                  egress at x/b: allowed, no policy selects x/b for egress
                  ingress at x/a: allowed by NetworkPolicy x/allow-b ingress[0]
                """))
    }

    @Test func defaultDenyNamesTheSelectingPolicies() throws {
        let trace = try Self.compiler().trace(PolicyTraceQuery(from: key("y/a"), to: key("x/a"), port: 80))
        #expect(!trace.isAllowed && trace.dropReason == 133)
        #expect(
            trace.ingress?.description
                == "ingress at x/a: default deny: selected by NetworkPolicy x/allow-b, NetworkPolicy x/deny-all; no rule allows"
        )
    }

    @Test func egressIsCheckedFirst() throws {
        let trace = try Self.compiler().trace(PolicyTraceQuery(from: key("x/c"), to: key("y/a"), port: 80))
        #expect(!trace.isAllowed)
        #expect(
            trace.egress?.description
                == "egress at x/c: default deny: selected by NetworkPolicy x/egress-c; no rule allows")
        #expect(trace.ingress?.verdict == .notEnforced)
    }

    @Test func addressesUseTheIPCache() throws {
        let compiler = Self.compiler()
        let out = try compiler.trace(
            PolicyTraceQuery(
                source: .pod(key("x/c")), destination: .address(IPAddress("1.1.1.1")!), proto: 17, port: 53))
        #expect(out.isAllowed && out.ingress == nil && out.destinationIdentity.isLocalCIDR)
        let inbound = try compiler.trace(
            PolicyTraceQuery(source: .address(IPAddress("8.8.8.8")!), destination: .pod(key("x/a")), proto: 6, port: 80)
        )
        #expect(!inbound.isAllowed && inbound.sourceIdentity == .world && inbound.egress == nil)
        #expect(inbound.description.hasPrefix("8.8.8.8 (identity 2 (world)) -> x/a (identity "))
    }

    @Test func unknownPodsAreErrors() {
        #expect(throws: PolicyTraceError(message: "no pod x/nope")) {
            try Self.compiler().trace(PolicyTraceQuery(from: key("x/nope"), to: key("x/a"), port: 80))
        }
    }
}
