import Testing

@testable import HedgerowCore

/// Compiler outputs for Kubernetes NetworkPolicy semantics, checked as connectivity matrices of
/// the upstream e2e cluster (namespaces x/y/z, pods a/b/c), like the conformance suite does.
@Suite struct KubernetesSemanticsTests {
    @Test func noPolicyAllowsEverything() {
        let cluster = TestCluster()
        #expect(cluster.reachable(port: 80) == cluster.allPairs)
    }

    @Test func defaultDenyIngressIsolatesTheNamespace() {
        var cluster = TestCluster()
        cluster.add(networkPolicyYAML("  podSelector: {}"))
        let expected = cluster.allPairs.subtracting(cluster.pairs(to: ["x/a", "x/b", "x/c"]))
        #expect(cluster.reachable(port: 80) == expected)
        #expect(cluster.reachable(port: 81, protocol: .udp) == expected)
    }

    @Test func defaultDenyEgressIsolatesOutgoing() {
        var cluster = TestCluster()
        cluster.add(networkPolicyYAML("  podSelector: {}\n  policyTypes: [Egress]"))
        #expect(
            cluster.reachable(port: 80) == cluster.allPairs.subtracting(cluster.pairs(from: ["x/a", "x/b", "x/c"])))
    }

    @Test func defaultDenyAllBothDirections() {
        var cluster = TestCluster()
        cluster.add(networkPolicyYAML("  podSelector: {}\n  policyTypes: [Ingress, Egress]"))
        let xPods = ["x/a", "x/b", "x/c"]
        #expect(
            cluster.reachable(port: 80)
                == cluster.allPairs.subtracting(cluster.pairs(to: xPods)).subtracting(cluster.pairs(from: xPods)))
    }

    @Test func podSelectorPeerMeansTheSameNamespace() {
        var cluster = TestCluster()
        cluster.add(
            networkPolicyYAML(
                """
                  podSelector: {matchLabels: {pod: a}}
                  ingress:
                  - from:
                    - podSelector: {matchLabels: {pod: b}}
                """))
        let reachable = cluster.reachable(port: 80)
        #expect(reachable.contains("x/b->x/a"))
        #expect(!reachable.contains("y/b->x/a"))
        #expect(!reachable.contains("x/c->x/a"))
        #expect(reachable.contains("x/c->x/b"))
    }

    @Test func namespaceAndPodSelectorInOnePeerIsAnd() {
        var cluster = TestCluster()
        cluster.add(
            networkPolicyYAML(
                """
                  podSelector: {matchLabels: {pod: a}}
                  ingress:
                  - from:
                    - namespaceSelector: {matchLabels: {ns: y}}
                      podSelector: {matchLabels: {pod: b}}
                """))
        let sources = Set(cluster.reachable(port: 80).filter { $0.hasSuffix("->x/a") })
        #expect(sources == ["y/b->x/a"])
    }

    @Test func twoPeersAreOr() {
        var cluster = TestCluster()
        cluster.add(
            networkPolicyYAML(
                """
                  podSelector: {matchLabels: {pod: a}}
                  ingress:
                  - from:
                    - namespaceSelector: {matchLabels: {ns: y}}
                    - podSelector: {matchLabels: {pod: b}}
                """))
        let sources = Set(cluster.reachable(port: 80).filter { $0.hasSuffix("->x/a") })
        #expect(sources == ["y/a->x/a", "y/b->x/a", "y/c->x/a", "x/b->x/a"])
    }

    @Test func emptyNamespaceSelectorMeansEveryNamespace() {
        var cluster = TestCluster()
        cluster.add(
            networkPolicyYAML(
                """
                  podSelector: {matchLabels: {pod: a}}
                  ingress:
                  - from:
                    - namespaceSelector: {}
                      podSelector: {matchLabels: {pod: c}}
                """))
        let sources = Set(cluster.reachable(port: 80).filter { $0.hasSuffix("->x/a") })
        #expect(sources == ["x/c->x/a", "y/c->x/a", "z/c->x/a"])
    }

    @Test func matchExpressions() {
        var cluster = TestCluster()
        cluster.add(
            networkPolicyYAML(
                """
                  podSelector: {matchLabels: {pod: a}}
                  ingress:
                  - from:
                    - namespaceSelector:
                        matchExpressions: [{key: ns, operator: NotIn, values: [x, z]}]
                """))
        let sources = Set(cluster.reachable(port: 80).filter { $0.hasSuffix("->x/a") })
        #expect(sources == ["y/a->x/a", "y/b->x/a", "y/c->x/a"])
    }

    @Test func emptyFromAllowsEveryoneAndEmptyIngressNobody() {
        var cluster = TestCluster()
        cluster.add(networkPolicyYAML("  podSelector: {matchLabels: {pod: a}}\n  ingress: [{}]", name: "allow-all"))
        cluster.add(networkPolicyYAML("  podSelector: {matchLabels: {pod: b}}\n  ingress: []", name: "deny-all"))
        let reachable = cluster.reachable(port: 80)
        #expect(cluster.pairs(to: ["x/a"]).isSubset(of: reachable))
        #expect(cluster.pairs(to: ["x/b"]).isDisjoint(with: reachable))
    }

    @Test func stackedPoliciesAddUp() {
        var cluster = TestCluster()
        cluster.add(
            networkPolicyYAML(
                "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]",
                name: "one"))
        cluster.add(
            networkPolicyYAML(
                "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{from: [{podSelector: {matchLabels: {pod: c}}}]}]",
                name: "two"))
        let sources = Set(cluster.reachable(port: 80).filter { $0.hasSuffix("->x/a") })
        #expect(sources == ["x/b->x/a", "x/c->x/a"])
    }

    @Test func portsRestrictProtocolAndNumber() {
        var cluster = TestCluster()
        cluster.add(networkPolicyYAML("  podSelector: {matchLabels: {pod: a}}\n  ingress: [{ports: [{port: 81}]}]"))
        let to = cluster.pairs(to: ["x/a"])
        #expect(to.isDisjoint(with: cluster.reachable(port: 80)))
        #expect(to.isSubset(of: cluster.reachable(port: 81)))
        // Protocol defaults to TCP: UDP and SCTP on 81 stay isolated.
        #expect(to.isDisjoint(with: cluster.reachable(port: 81, protocol: .udp)))
        #expect(to.isDisjoint(with: cluster.reachable(port: 81, protocol: .sctp)))
    }

    @Test func sctpAndUDPAreSeparateFromTCP() {
        var cluster = TestCluster()
        cluster.add(
            networkPolicyYAML(
                "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{ports: [{port: 80, protocol: SCTP}]}]"))
        let to = cluster.pairs(to: ["x/a"])
        #expect(to.isSubset(of: cluster.reachable(port: 80, protocol: .sctp)))
        #expect(to.isDisjoint(with: cluster.reachable(port: 80, protocol: .tcp)))
        #expect(to.isDisjoint(with: cluster.reachable(port: 80, protocol: .udp)))
    }

    @Test func namedPortOnIngressResolvesAgainstTheEndpoint() {
        var cluster = TestCluster()
        cluster.pods[0].containers[0].ports = [ContainerPort(name: "serve-80-tcp", port: 8080, protocol: .tcp)]
        cluster.add(
            networkPolicyYAML("  podSelector: {matchLabels: {pod: a}}\n  ingress: [{ports: [{port: serve-80-tcp}]}]"))
        let to = cluster.pairs(to: ["x/a"])
        #expect(to.isSubset(of: cluster.reachable(port: 8080)))
        #expect(to.isDisjoint(with: cluster.reachable(port: 80)))
    }

    @Test func namedPortOnEgressResolvesPerDestination() {
        var cluster = TestCluster()
        // y/b names its port 80 differently: serve-80-tcp is 8080 there.
        let yb = cluster.pods.firstIndex { $0.namespacedName == key("y/b") }!
        cluster.pods[yb].containers[0].ports = [ContainerPort(name: "serve-80-tcp", port: 8080, protocol: .tcp)]
        cluster.pods[yb].labels = ["pod": "b", "special": "yes"]
        cluster.add(
            networkPolicyYAML(
                """
                  podSelector: {matchLabels: {pod: a}}
                  policyTypes: [Egress]
                  egress:
                  - to: [{namespaceSelector: {}}]
                    ports: [{port: serve-80-tcp}]
                """))
        #expect(cluster.reachable(port: 80).contains("x/a->y/a"))
        #expect(!cluster.reachable(port: 80).contains("x/a->y/b"))
        #expect(cluster.reachable(port: 8080).contains("x/a->y/b"))
        #expect(!cluster.reachable(port: 8080).contains("x/a->y/a"))
        // Per remote identity: y/b's identity gets 8080, the others 80.
        let compiler = cluster.compiler()
        let policy = compiler.endpointPolicies[key("x/a")]!
        let ybIdentity = compiler.identity(of: key("y/b"))!
        let ybPorts = policy.entries.filter { $0.key.remote == ybIdentity }.map(\.key.port)
        #expect(ybPorts == [8080])
    }

    @Test func namedPortToEveryPeerTakesEveryPodsNumber() {
        var cluster = TestCluster()
        let yb = cluster.pods.firstIndex { $0.namespacedName == key("y/b") }!
        cluster.pods[yb].containers[0].ports = [ContainerPort(name: "serve-80-tcp", port: 8080, protocol: .tcp)]
        cluster.add(
            networkPolicyYAML(
                "  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Egress]\n  egress: [{ports: [{port: serve-80-tcp}]}]"
            ))
        // No peers: a wildcard entry per number that some pod gives the name (a documented widening).
        let entries = cluster.compiler().endpointPolicies[key("x/a")]!.entries
        #expect(entries.map(\.description) == ["egress any 6:80/16 allow", "egress any 6:8080/16 allow"])
    }

    @Test func aPodMayAlwaysReachItself() throws {
        var cluster = TestCluster()
        cluster.add(networkPolicyYAML("  podSelector: {}\n  policyTypes: [Ingress, Egress]"))
        let trace = try cluster.compiler().trace(PolicyTraceQuery(from: key("x/a"), to: key("x/a"), port: 80))
        #expect(trace.isAllowed && trace.isLoopback && trace.dropReason == nil)
        #expect(trace.ingress?.verdict == .defaultDenied)
    }

    @Test func endPortRanges() {
        var cluster = TestCluster()
        cluster.add(
            networkPolicyYAML("  podSelector: {matchLabels: {pod: a}}\n  ingress: [{ports: [{port: 79, endPort: 81}]}]")
        )
        let to = cluster.pairs(to: ["x/a"])
        #expect(to.isSubset(of: cluster.reachable(port: 80)))
        #expect(to.isSubset(of: cluster.reachable(port: 81)))
        #expect(to.isDisjoint(with: cluster.reachable(port: 82)))
        let entries = cluster.compiler().endpointPolicies[key("x/a")]!.entries.filter { $0.key.remote == .any }
        #expect(entries.map(\.key.portPrefix.description) == ["79", "80-81"])
    }

    @Test func ipBlockWithExceptMatchesPodsByAddress() {
        var cluster = TestCluster()
        // y is 10.0.2.0/24; except y/b (10.0.2.2).
        cluster.add(
            networkPolicyYAML(
                """
                  podSelector: {matchLabels: {pod: a}}
                  ingress:
                  - from:
                    - ipBlock: {cidr: 10.0.2.0/24, except: [10.0.2.2/32]}
                """))
        let sources = Set(cluster.reachable(port: 80).filter { $0.hasSuffix("->x/a") })
        #expect(sources == ["y/a->x/a", "y/c->x/a"])
    }

    @Test func ipBlockOnEgressToExternalAddresses() throws {
        var cluster = TestCluster()
        cluster.add(
            networkPolicyYAML(
                """
                  podSelector: {matchLabels: {pod: a}}
                  policyTypes: [Egress]
                  egress:
                  - to: [{ipBlock: {cidr: 192.168.0.0/16, except: [192.168.1.0/24]}}]
                """))
        let compiler = cluster.compiler()
        func allowed(_ address: String) throws -> Bool {
            try compiler.trace(
                PolicyTraceQuery(
                    source: .pod(key("x/a")), destination: .address(IPAddress(address)!), proto: 6, port: 443)
            ).isAllowed
        }
        #expect(try allowed("192.168.7.7"))
        #expect(try !allowed("192.168.1.7"))
        #expect(try !allowed("8.8.8.8"))
        #expect(compiler.ipcache.lookup(IPAddress("192.168.7.7")!).isLocalCIDR)
        #expect(compiler.ipcache.lookup(IPAddress("8.8.8.8")!) == .world)
    }

    @Test func icmpOnlyPassesRulesWithoutPorts() throws {
        var cluster = TestCluster()
        cluster.add(
            networkPolicyYAML(
                "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{ports: [{port: 80}]}]", name: "ports"))
        cluster.add(networkPolicyYAML("  podSelector: {matchLabels: {pod: b}}\n  ingress: [{}]", name: "all"))
        let compiler = cluster.compiler()
        let icmp = { (to: String) in
            try compiler.trace(PolicyTraceQuery(source: .pod(key("y/a")), destination: .pod(key(to)), proto: 1))
                .isAllowed
        }
        #expect(try !icmp("x/a"))
        #expect(try icmp("x/b"))
        #expect(try icmp("x/c"))
    }

    @Test func rulesOfAnUnlistedPolicyTypeAreIgnored() {
        var cluster = TestCluster()
        cluster.add(
            networkPolicyYAML(
                """
                  podSelector: {matchLabels: {pod: a}}
                  policyTypes: [Ingress]
                  egress: [{to: [{podSelector: {matchLabels: {pod: b}}}]}]
                """))
        let reachable = cluster.reachable(port: 80)
        #expect(cluster.pairs(from: ["x/a"]).isSubset(of: reachable))
        #expect(cluster.pairs(to: ["x/a"]).isDisjoint(with: reachable))
    }

    @Test func theNodeMayAlwaysReachItsPods() {
        var cluster = TestCluster()
        cluster.add(networkPolicyYAML("  podSelector: {}"))
        let policy = cluster.compiler().endpointPolicies[key("x/a")]!
        #expect(policy.verdict(direction: .ingress, remote: .host, proto: 6, port: 80).isAllowed)
        #expect(!policy.verdict(direction: .ingress, remote: .world, proto: 6, port: 80).isAllowed)
        let strict = PolicyCompiler(inputs: cluster.inputs, options: .init(allowIngressFromHost: false))
        #expect(
            !strict.endpointPolicies[key("x/a")]!.verdict(direction: .ingress, remote: .host, proto: 6, port: 80)
                .isAllowed)
    }
}
