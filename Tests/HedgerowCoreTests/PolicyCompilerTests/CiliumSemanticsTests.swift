import Testing

@testable import HedgerowCore

/// CiliumNetworkPolicy semantics: entities, CIDR sets, deny precedence, default deny.
@Suite struct CiliumSemanticsTests {
    func allowed(
        _ compiler: PolicyCompiler, _ from: String, _ to: String, _ port: UInt16, _ proto: TransportProtocol = .tcp
    ) throws -> Bool {
        try compiler.trace(PolicyTraceQuery(from: key(from), to: key(to), port: port, protocol: proto)).isAllowed
    }

    func allowed(_ compiler: PolicyCompiler, _ from: String, toAddress address: String, _ port: UInt16) throws -> Bool {
        try compiler.trace(
            PolicyTraceQuery(source: .pod(key(from)), destination: .address(IPAddress(address)!), proto: 6, port: port)
        )
        .isAllowed
    }

    @Test func fromEndpointsDefaultsToThePolicysNamespace() throws {
        var cluster = TestCluster()
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: a}}\n  ingress: [{fromEndpoints: [{matchLabels: {pod: b}}]}]"))
        let compiler = cluster.compiler()
        #expect(try allowed(compiler, "x/b", "x/a", 80))
        #expect(try !allowed(compiler, "y/b", "x/a", 80))
        // The subject is scoped too: y/a is not selected.
        #expect(try allowed(compiler, "z/c", "y/a", 80))
    }

    @Test func aNamespaceLabelInTheSelectorReachesOtherNamespaces() throws {
        var cluster = TestCluster()
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: a}}\n  ingress: [{fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: y}}]}]"
            ))
        let compiler = cluster.compiler()
        #expect(try allowed(compiler, "y/c", "x/a", 80))
        #expect(try !allowed(compiler, "x/b", "x/a", 80))
    }

    @Test func clusterwideSelectorsSpanNamespaces() throws {
        var cluster = TestCluster()
        cluster.add(
            """
            apiVersion: cilium.io/v2
            kind: CiliumClusterwideNetworkPolicy
            metadata: {name: only-b}
            spec:
              endpointSelector: {matchLabels: {pod: a}}
              ingress: [{fromEndpoints: [{matchLabels: {pod: b}}]}]
            """)
        let compiler = cluster.compiler()
        for namespace in ["x", "y", "z"] {
            #expect(try allowed(compiler, "z/b", "\(namespace)/a", 80))
            #expect(try !allowed(compiler, "z/c", "\(namespace)/a", 80))
        }
    }

    @Test func anEmptyRuleDeniesAndAnEmptySectionDoesNothing() throws {
        var cluster = TestCluster()
        cluster.add(ciliumPolicyYAML("  endpointSelector: {matchLabels: {pod: a}}\n  ingress: [{}]", name: "deny"))
        cluster.add(ciliumPolicyYAML("  endpointSelector: {matchLabels: {pod: b}}\n  ingress: []", name: "nothing"))
        let compiler = cluster.compiler()
        #expect(try !allowed(compiler, "x/c", "x/a", 80))
        #expect(try allowed(compiler, "x/c", "x/b", 80))
        #expect(compiler.endpointPolicies[key("x/b")]?.ingressEnforced == false)
    }

    @Test func portsWithoutPeersAllowEveryPeer() throws {
        var cluster = TestCluster()
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: a}}\n  ingress: [{toPorts: [{ports: [{port: \"80\", protocol: TCP}]}]}]"
            ))
        let compiler = cluster.compiler()
        #expect(try allowed(compiler, "z/c", "x/a", 80))
        #expect(try !allowed(compiler, "z/c", "x/a", 81))
        #expect(try !allowed(compiler, "z/c", "x/a", 80, .udp))
    }

    @Test func protocolAnyCoversTCPUDPAndSCTPButNotICMP() throws {
        var cluster = TestCluster()
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: a}}\n  ingress: [{toPorts: [{ports: [{port: \"80\"}]}]}]"))
        let compiler = cluster.compiler()
        for proto in TransportProtocol.allCases { #expect(try allowed(compiler, "y/b", "x/a", 80, proto)) }
        let icmp = try compiler.trace(
            PolicyTraceQuery(source: .pod(key("y/b")), destination: .pod(key("x/a")), proto: 1))
        #expect(!icmp.isAllowed)
    }

    @Test func portRangesBecomePrefixes() throws {
        var cluster = TestCluster()
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: a}}\n  ingress: [{toPorts: [{ports: [{port: \"8000\", endPort: 8100, protocol: TCP}]}]}]"
            ))
        let compiler = cluster.compiler()
        #expect(try allowed(compiler, "y/b", "x/a", 8000))
        #expect(try allowed(compiler, "y/b", "x/a", 8100))
        #expect(try !allowed(compiler, "y/b", "x/a", 8101))
        #expect(try !allowed(compiler, "y/b", "x/a", 7999))
        let prefixes = compiler.endpointPolicies[key("x/a")]!.entries.filter { $0.key.remote == .any }.map(
            \.key.portPrefix.description)
        #expect(prefixes == ["8000-8063", "8064-8095", "8096-8099", "8100"])
    }

    @Test func entities() throws {
        var cluster = TestCluster()
        cluster.add(
            ciliumPolicyYAML(
                """
                  endpointSelector: {matchLabels: {pod: a}}
                  egress:
                  - toEntities: [world]
                    toPorts: [{ports: [{port: "443", protocol: TCP}]}]
                  - toEntities: [cluster]
                    toPorts: [{ports: [{port: "80", protocol: TCP}]}]
                  - toEntities: [host]
                """))
        let compiler = cluster.compiler()
        #expect(try allowed(compiler, "x/a", toAddress: "8.8.8.8", 443))
        #expect(try !allowed(compiler, "x/a", toAddress: "8.8.8.8", 80))
        #expect(try allowed(compiler, "x/a", "z/c", 80))
        #expect(try !allowed(compiler, "x/a", "z/c", 443))
        let policy = compiler.endpointPolicies[key("x/a")]!
        #expect(policy.verdict(direction: .egress, remote: .host, proto: 17, port: 53).isAllowed)
        #expect(policy.verdict(direction: .egress, remote: .remoteNode, proto: 6, port: 80).isAllowed)
        #expect(!policy.verdict(direction: .egress, remote: .kubeAPIServer, proto: 6, port: 80).isAllowed)
    }

    @Test func entityAllIsAWildcard() throws {
        var cluster = TestCluster()
        cluster.add(ciliumPolicyYAML("  endpointSelector: {matchLabels: {pod: a}}\n  ingress: [{fromEntities: [all]}]"))
        let entries = cluster.compiler().endpointPolicies[key("x/a")]!.entries
        // (The host entry is the implicit "the node may reach its pods".)
        #expect(entries.map(\.description) == ["ingress any any:* allow", "ingress 1 any:* allow"])
    }

    @Test func worldIncludesCIDRIdentities() throws {
        var cluster = TestCluster()
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: a}}\n  egress: [{toEntities: [world]}]", name: "world"))
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: b}}\n  egress: [{toCIDR: [192.168.0.0/16]}]", name: "cidr"))
        let compiler = cluster.compiler()
        // 192.168.x.y now has a CIDR identity; world must still reach it.
        #expect(try allowed(compiler, "x/a", toAddress: "192.168.1.1", 80))
        #expect(try allowed(compiler, "x/b", toAddress: "192.168.1.1", 80))
        #expect(try !allowed(compiler, "x/b", toAddress: "10.10.10.10", 80))
    }

    @Test func cidrSetWithExceptOnEgress() throws {
        var cluster = TestCluster()
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: a}}\n  egress: [{toCIDRSet: [{cidr: 0.0.0.0/0, except: [10.0.0.0/8, 169.254.169.254/32]}]}]"
            ))
        let compiler = cluster.compiler()
        #expect(try allowed(compiler, "x/a", toAddress: "1.1.1.1", 443))
        #expect(try !allowed(compiler, "x/a", toAddress: "169.254.169.254", 80))
        #expect(try !allowed(compiler, "x/a", toAddress: "10.200.0.1", 80))
        // Pods in 10.0.0.0/8 are excepted too.
        #expect(try !allowed(compiler, "x/a", "y/b", 80))
    }

    @Test func denyBeatsAllow() throws {
        var cluster = TestCluster()
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: a}}\n  ingress: [{fromEntities: [cluster]}]", name: "allow"))
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: a}}\n  ingressDeny: [{fromEndpoints: [{matchLabels: {pod: b}}], toPorts: [{ports: [{port: \"80\", protocol: TCP}]}]}]",
                name: "deny"))
        let compiler = cluster.compiler()
        #expect(try !allowed(compiler, "x/b", "x/a", 80))
        #expect(try allowed(compiler, "x/b", "x/a", 81))
        #expect(try allowed(compiler, "x/c", "x/a", 80))
        let trace = try compiler.trace(PolicyTraceQuery(from: key("x/b"), to: key("x/a"), port: 80))
        #expect(trace.dropReason == 181)
        #expect(trace.ingress?.description == "ingress at x/a: denied by CiliumNetworkPolicy x/deny ingressDeny[0]")
    }

    @Test func aWildcardDenyWinsOverASpecificAllow() throws {
        var cluster = TestCluster()
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: a}}\n  ingress: [{fromEndpoints: [{matchLabels: {pod: b}}]}]",
                name: "allow"))
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: a}}\n  ingressDeny: [{toPorts: [{ports: [{port: \"22\", protocol: TCP}]}]}]",
                name: "deny"))
        let compiler = cluster.compiler()
        #expect(try !allowed(compiler, "x/b", "x/a", 22))
        #expect(try allowed(compiler, "x/b", "x/a", 23))
    }

    @Test func denyOnlyPoliciesIsolateUnlessTheySayOtherwise() throws {
        var cluster = TestCluster()
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: a}}\n  egressDeny: [{toCIDR: [169.254.169.254/32]}]",
                name: "isolating"))
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: b}}\n  enableDefaultDeny: {egress: false}\n  egressDeny: [{toCIDR: [169.254.169.254/32]}]",
                name: "deny-only"))
        let compiler = cluster.compiler()
        #expect(try !allowed(compiler, "x/a", toAddress: "1.1.1.1", 80))
        #expect(try allowed(compiler, "x/b", toAddress: "1.1.1.1", 80))
        #expect(try !allowed(compiler, "x/b", toAddress: "169.254.169.254", 80))
        #expect(compiler.endpointPolicies[key("x/b")]?.egressEnforced == false)
    }

    @Test func allowRulesOfANonIsolatingPolicyAddNothing() throws {
        var cluster = TestCluster()
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: a}}\n  enableDefaultDeny: {ingress: false}\n  ingress: [{fromEndpoints: [{matchLabels: {pod: b}}]}]"
            ))
        let compiler = cluster.compiler()
        #expect(compiler.endpointPolicies[key("x/a")] == EndpointPolicy())
        // Another policy that isolates makes the allow rule count.
        cluster.add(networkPolicyYAML("  podSelector: {matchLabels: {pod: a}}", name: "isolate"))
        let isolated = cluster.compiler()
        #expect(try allowed(isolated, "x/b", "x/a", 80))
        #expect(try !allowed(isolated, "x/c", "x/a", 80))
    }

    @Test func kubernetesAndCiliumPoliciesCombine() throws {
        var cluster = TestCluster()
        cluster.add(
            networkPolicyYAML(
                "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{from: [{namespaceSelector: {}}]}]", name: "k8s"))
        cluster.add(
            ciliumPolicyYAML(
                "  endpointSelector: {matchLabels: {pod: a}}\n  ingressDeny: [{fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: z}}]}]",
                name: "cnp"))
        let compiler = cluster.compiler()
        #expect(try allowed(compiler, "y/a", "x/a", 80))
        #expect(try !allowed(compiler, "z/a", "x/a", 80))
    }
}
