import Testing
import Yams

@testable import HedgerowCore

/// `PolicySuggester` on recorded flows of the TestCluster (x, y, z with pods a, b, c labelled
/// pod=<name>), and the suggestion compiled: exactly the learned connections pass.
@Suite struct PolicySuggestionTests {
    static let cluster = TestCluster()
    static let node = IPAddress("192.168.200.1")!
    static let outside = IPAddress("203.0.113.7")!

    /// A flow end: a TestCluster pod ("x/a"), the node, or an outside address.
    enum End {
        case pod(String, extraLabels: Labels = [:])
        case node
        case address(IPAddress)

        var endpoint: FlowEndpoint {
            switch self {
            case .pod(let name, let extra):
                let key = key(name)
                var labels: Labels = ["pod": key.name, IdentityLabels.namespaceKey: key.namespace]
                for label in extra { labels[label.key] = label.value }
                return .pod(identity: SecurityIdentity(rawValue: 300), namespace: key.namespace, name: key.name, labels: labels)
            case .node: return .reserved(.host)
            case .address: return .reserved(.world)
            }
        }

        var address: IPAddress {
            switch self {
            case .pod(let name, _): PolicySuggestionTests.cluster.ip(name)
            case .node: PolicySuggestionTests.node
            case .address(let address): address
            }
        }
    }

    static func flow(
        _ from: End, _ to: End, _ l4: Layer4, verdict: Verdict = .forwarded, reply: Bool? = false
    ) -> Flow {
        Flow(
            time: FlowTimestamp(seconds: 1), verdict: verdict,
            ip: FlowIP(source: from.address, destination: to.address), l4: l4,
            source: from.endpoint, destination: to.endpoint, isReply: reply, eventType: .trace(.toEndpoint))
    }

    static func tcp(_ port: UInt16) -> Layer4 { .tcp(sourcePort: 40000, destinationPort: port, flags: .syn) }
    static func udp(_ port: UInt16) -> Layer4 { .udp(sourcePort: 40000, destinationPort: port) }

    static let dnsRule = SuggestedRule(peer: .kubeDNS, ports: SuggestedPort.dns)

    static func policy(_ suggestion: PolicySuggestion, _ name: String) -> SuggestedPolicy? {
        suggestion.policies.first { $0.name == name }
    }

    @Test func podsAreSelectedByLabelsOnBothSidesOfAConnection() throws {
        let suggestion = PolicySuggester.suggest(
            flows: [Self.flow(.pod("x/a"), .pod("x/b"), Self.tcp(80)), Self.flow(.pod("x/a"), .pod("x/b"), Self.udp(53))],
            namespace: "x")
        #expect(suggestion.policies.map(\.name) == ["suggested-pod-a", "suggested-pod-b"])
        #expect(suggestion.connections == 2 && suggestion.flows == 2)
        let a = try #require(Self.policy(suggestion, "suggested-pod-a"))
        #expect(a.podSelector == ["pod": "a"] && a.pods == ["a"] && a.namespace == "x")
        #expect(a.ingress == [])
        #expect(a.egress == [
            Self.dnsRule,
            SuggestedRule(peer: .pods(namespace: "x", labels: ["pod": "b"]), ports: [SuggestedPort(80, .tcp), SuggestedPort(53, .udp)]),
        ])
        let b = try #require(Self.policy(suggestion, "suggested-pod-b"))
        #expect(b.ingress == [
            SuggestedRule(peer: .pods(namespace: "x", labels: ["pod": "a"]), ports: [SuggestedPort(80, .tcp), SuggestedPort(53, .udp)])
        ])
        #expect(b.egress == [Self.dnsRule], "egress is always only DNS when nothing else was seen")
        #expect(b.connections == 2 && b.flows == 2)
    }

    @Test func otherNamespacesGetNoPolicyButAreSelectedByName() throws {
        let suggestion = PolicySuggester.suggest(
            flows: [Self.flow(.pod("y/a"), .pod("x/b"), Self.tcp(80)), Self.flow(.pod("x/b"), .pod("z/c"), Self.udp(81))],
            namespace: "x")
        #expect(suggestion.policies.map(\.name) == ["suggested-pod-b"])
        let b = try #require(suggestion.policies.first)
        #expect(b.ingress == [SuggestedRule(peer: .pods(namespace: "y", labels: ["pod": "a"]), ports: [SuggestedPort(80, .tcp)])])
        #expect(b.egress.last == SuggestedRule(peer: .pods(namespace: "z", labels: ["pod": "c"]), ports: [SuggestedPort(81, .udp)]))
        let yaml = try suggestion.rendered(as: .yaml)
        #expect(yaml.contains("""
              - from:
                - namespaceSelector:
                    matchLabels:
                      kubernetes.io/metadata.name: "y"
                  podSelector:
                    matchLabels:
                      pod: a
                ports:
                - port: 80
                  protocol: TCP

            """), "\"y\" is quoted: YAML 1.1 reads y as true")
    }

    @Test func addressesUseIPBlocksAndTheNodeACiliumPolicy() throws {
        let v6 = IPAddress("2001:db8::7")!
        let suggestion = PolicySuggester.suggest(
            flows: [
                Self.flow(.pod("x/a"), .address(Self.outside), Self.tcp(443)),
                Self.flow(.pod("x/a"), .address(v6), Self.tcp(443)),
                Self.flow(.pod("x/a"), .node, Self.tcp(10250)),
                Self.flow(.node, .pod("x/a"), Self.tcp(8080)),
                Self.flow(.address(Self.outside), .pod("x/a"), Self.tcp(80)),
            ],
            namespace: "x")
        let a = try #require(suggestion.policies.first)
        #expect(a.ingressFromNodeSeen)
        #expect(a.ingress == [SuggestedRule(peer: .address(Self.outside), ports: [SuggestedPort(80, .tcp)])], "no rule for the node")
        #expect(a.egress == [
            Self.dnsRule,
            SuggestedRule(peer: .node, ports: [SuggestedPort(10250, .tcp)]),
            SuggestedRule(peer: .address(Self.outside), ports: [SuggestedPort(443, .tcp)]),
            SuggestedRule(peer: .address(v6), ports: [SuggestedPort(443, .tcp)]),
        ])
        let yaml = try suggestion.rendered(as: .yaml)
        #expect(yaml.contains("cidr: 203.0.113.7/32"))
        #expect(yaml.contains("cidr: 2001:db8::7/128"), "plain: it cannot be read as anything but a string")
        #expect(yaml.contains("only an ipBlock of its address selects it"))
        #expect(yaml.contains("kind: CiliumNetworkPolicy") && yaml.contains("name: suggested-pod-a-node"))
        #expect(yaml.contains("""
              egress:
              - toEntities:
                - host
                toPorts:
                - ports:
                  - port: '10250'
                    protocol: TCP

            """))
        #expect(!yaml.contains("192.168.200.1"), "the node is never an ipBlock")
    }

    @Test func icmpMakesARuleWithoutPorts() throws {
        let suggestion = PolicySuggester.suggest(
            flows: [
                Self.flow(.pod("x/a"), .pod("x/b"), .icmpv4(type: 8, code: 0)),
                Self.flow(.pod("x/a"), .pod("x/b"), Self.tcp(80)),
            ],
            namespace: "x")
        let b = try #require(Self.policy(suggestion, "suggested-pod-b"))
        #expect(b.ingress == [
            SuggestedRule(peer: .pods(namespace: "x", labels: ["pod": "a"]), ports: [SuggestedPort(80, .tcp)], allowsICMP: true)
        ])
        let yaml = try suggestion.rendered(as: .yaml)
        #expect(yaml.contains(
            "# ingress[0]: ICMP seen: NetworkPolicy ports cannot name ICMP, so this rule has no ports and allows "
                + "every protocol and port of this peer (also seen: 80/TCP).\n"))
        #expect(yaml.contains("""
              ingress:
              - from:
                - podSelector:
                    matchLabels:
                      pod: a
              egress:

            """))
    }

    @Test func repliesDropsErrorsAndLoopbackAreIgnored() throws {
        let flows = [
            Self.flow(.pod("x/b"), .pod("x/a"), Self.tcp(80), reply: true),
            Self.flow(.pod("x/c"), .pod("x/b"), Self.tcp(80), verdict: .dropped, reply: nil),
            Self.flow(.pod("x/c"), .pod("x/b"), Self.tcp(81), verdict: .error),
            Self.flow(.pod("x/a"), .pod("x/a"), Self.tcp(80)),
            Self.flow(.pod("x/c"), .pod("x/b"), Self.tcp(82), verdict: .audit),
            Self.flow(.pod("y/a"), .pod("y/b"), Self.tcp(80)),
        ]
        let suggestion = PolicySuggester.suggest(flows: flows, namespace: "x")
        #expect(suggestion.flows == 1 && suggestion.connections == 1)
        #expect(suggestion.policies.map(\.name) == ["suggested-pod-b", "suggested-pod-c"], "audited traffic counts")
        #expect(suggestion.policies[0].ingress.map(\.ports) == [[SuggestedPort(82, .tcp)]])
        #expect(PolicySuggester.suggest(flows: flows.dropLast(2), namespace: "x").isEmpty)
    }

    @Test func replicasShareOnePolicyWithoutVolatileOrDerivedLabels() throws {
        let replica: Labels = ["pod-template-hash": "5d4f9", IdentityLabels.namespaceLabelPrefix + "team": "x"]
        var first = Self.flow(.pod("x/a", extraLabels: replica), .pod("x/b"), Self.tcp(80))
        first.source.podName = "a-1"
        var second = Self.flow(.pod("x/a", extraLabels: ["pod-template-hash": "77aa1"]), .pod("x/b"), Self.tcp(80))
        second.source.podName = "a-2"
        let suggestion = PolicySuggester.suggest(flows: [first, second], namespace: "x")
        let a = try #require(Self.policy(suggestion, "suggested-pod-a"))
        #expect(a.pods == ["a-1", "a-2"] && a.podSelector == ["pod": "a"])
        #expect(Self.policy(suggestion, "suggested-pod-b")?.ingress.map(\.peer) == [.pods(namespace: "x", labels: ["pod": "a"])])
        #expect(suggestion.connections == 2, "two source pods: two connections")
    }

    @Test func podsWithoutStableLabelsGetNoPolicyAndAreSelectedAsTheWholeNamespace() throws {
        var flow = Self.flow(.pod("x/a"), .pod("x/b"), Self.tcp(80))
        flow.source = .pod(identity: SecurityIdentity(rawValue: 301), namespace: "x", name: "bare", labels: ["pod-template-hash": "1"])
        var elsewhere = Self.flow(.pod("x/a"), .pod("y/a"), Self.tcp(80))
        elsewhere.source = .pod(identity: SecurityIdentity(rawValue: 302), namespace: "x", name: "bare-2", labels: [:])
        let suggestion = PolicySuggester.suggest(flows: [flow, elsewhere], namespace: "x")
        #expect(suggestion.unselectablePods == ["bare", "bare-2"])
        #expect(suggestion.flows == 1, "a flow between an unselectable pod and another namespace teaches nothing")
        #expect(suggestion.policies.map(\.name) == ["suggested-pod-b"])
        #expect(suggestion.policies[0].ingress.map(\.peer) == [.pods(namespace: "x", labels: [:])])
        let yaml = try suggestion.rendered(as: .yaml)
        #expect(yaml.contains("No policy for pods without stable labels (their traffic stays unrestricted): x/bare, x/bare-2."))
        #expect(yaml.contains("- from:\n    - podSelector: {}"))
    }

    @Test func namesPreferTheAppLabelAndStayUniqueDNSLabels() {
        func flow(_ labels: Labels, pod: String) -> Flow {
            var flow = Self.flow(.pod("x/a"), .address(Self.outside), Self.tcp(443))
            var all = labels
            all[IdentityLabels.namespaceKey] = "x"
            flow.source = .pod(identity: SecurityIdentity(rawValue: 300), namespace: "x", name: pod, labels: all)
            return flow
        }
        let suggestion = PolicySuggester.suggest(
            flows: [
                flow(["app": "web", "tier": "front"], pod: "w1"),
                flow(["app": "web", "tier": "back"], pod: "w2"),
                flow(["app.kubernetes.io/name": "Cache_Server", "app": "ignored"], pod: "c1"),
                flow(["k8s-app": "dns"], pod: "d1"),
                flow(["example.com/Role": "db.primary"], pod: "p1"),
            ],
            namespace: "x")
        #expect(suggestion.policies.map(\.name) == [
            "suggested-app-web-tier-back", "suggested-app-web-tier-front", "suggested-cache-server", "suggested-dns",
            "suggested-example-com-role-db-primary",
        ])
        for policy in suggestion.policies {
            #expect(KubernetesValidation.dns1123LabelProblems(policy.name) == [])
        }
    }

    @Test func outputIsDeterministic() throws {
        let flows = Self.learnedFlows
        let first = PolicySuggester.suggest(flows: flows, namespace: "x")
        for seed in 1...5 {
            var generator = TestRandom(seed: UInt64(seed))
            let shuffled = PolicySuggester.suggest(flows: flows.shuffled(using: &generator), namespace: "x")
            #expect(shuffled == first)
            #expect(try shuffled.rendered(as: .yaml, origin: "o") == first.rendered(as: .yaml, origin: "o"))
            #expect(try shuffled.rendered(as: .json) == first.rendered(as: .json))
        }
    }

    @Test func yamlHasAHeaderPerPolicyAndDecodes() throws {
        let suggestion = PolicySuggester.suggest(flows: Self.learnedFlows, namespace: "x")
        let yaml = try suggestion.rendered(as: .yaml, origin: "flows since 2026-01-01T00:00:00Z")
        #expect(yaml.hasPrefix(
            "# Least-privilege policies for namespace x, suggested by hpolicy from 7 connections (8 flows) of flows since 2026-01-01T00:00:00Z.\n"))
        #expect(yaml.contains(
            "---\n# suggested-pod-b: pod x/b; learned from 4 connections (5 flows).\napiVersion: networking.k8s.io/v1\n"))
        #expect(yaml.contains("policy.hedgerow.dev/suggested-from: 4 connections, 5 flows"))
        let policies = decodePolicies(yaml)
        #expect(policies.map(\.reference.description) == [
            "NetworkPolicy x/suggested-pod-a", "CiliumNetworkPolicy x/suggested-pod-a-node",
            "NetworkPolicy x/suggested-pod-b", "NetworkPolicy x/suggested-pod-c",
        ])
        let fromJSON = decodePolicies(try suggestion.rendered(as: .json), file: "policies/test.json")
        #expect(fromJSON.map(\.reference) == policies.map(\.reference))
        #expect(fromJSON.filter { if case .kubernetes = $0 { true } else { false } }
            == policies.filter { if case .kubernetes = $0 { true } else { false } })
    }

    @Test func yamlScalarsReadBackAsTheSameStrings() throws {
        let texts = [
            "y", "On", "null", "1e3", "0x1f", "2001-12-14", "", "-x", ".inf", "a: b", "a #b", " a", "2001:db8::/64",
            "web", "kube-system", "10.0.0.1/32", "3 connections, 4 flows", "app.kubernetes.io/name", "Egress", "80",
        ]
        for text in texts {
            let yaml = try Yams.serialize(node: Node.map([("v", .text(text))]))
            #expect(YAMLDocuments.read(yaml).documents.first?.value == .map(["v": .string(text)]), "\(yaml)")
        }
        #expect(try Yams.serialize(node: Node.map([("v", .text("y"))])) == "v: \"y\"\n", "YAML 1.1 reads y as true")
        #expect(try Yams.serialize(node: Node.map([("v", .text("web"))])) == "v: web\n")
    }

    // MARK: The suggestion compiled

    /// Traffic of namespace x with every kind of peer.
    static let learnedFlows = [
        flow(.pod("x/a"), .pod("x/b"), tcp(80)),
        flow(.pod("x/a"), .pod("x/b"), tcp(80)),
        flow(.pod("y/a"), .pod("x/b"), tcp(80)),
        flow(.pod("x/b"), .pod("y/a"), udp(81)),
        flow(.pod("x/c"), .pod("x/b"), .sctp(sourcePort: 40000, destinationPort: 80)),
        flow(.pod("x/a"), .address(outside), tcp(443)),
        flow(.pod("x/a"), .node, tcp(10250)),
        flow(.pod("x/c"), .pod("z/c"), .icmpv4(type: 8, code: 0)),
        flow(.pod("x/b"), .pod("x/a"), tcp(80), reply: true),
    ]

    /// The TestCluster with kube-dns and the suggestion for x.
    static func clusterWithSuggestion() throws -> (before: TestCluster, after: TestCluster) {
        var cluster = TestCluster()
        cluster.namespaces.append(Namespace(name: "kube-system"))
        cluster.pods.append(Pod(namespace: "kube-system", name: "coredns", labels: ["k8s-app": "kube-dns"], ips: [IPAddress("10.0.9.1")!]))
        var after = cluster
        after.add(try PolicySuggester.suggest(flows: learnedFlows, namespace: "x").rendered(as: .yaml))
        return (cluster, after)
    }

    @Test func compiledSuggestionAllowsEveryLearnedConnection() throws {
        let (before, after) = try Self.clusterWithSuggestion()
        let compiler = after.compiler()
        for flow in Self.learnedFlows {
            guard let connection = ObservedConnection(flow) else { continue }
            #expect(try compiler.trace(connection.traceQuery).isAllowed, "\(connection.traceQuery)")
        }
        let dns = PolicyTraceQuery(source: .pod(key("x/c")), destination: .pod(key("kube-system/coredns")), proto: 17, port: 53)
        #expect(try compiler.trace(dns).isAllowed)
        #expect(try compiler.trace(PolicyTraceQuery(source: .node(Self.node), destination: .pod(key("x/a")), proto: 6, port: 9)).isAllowed)
        // What `hpolicy diff` computes: nothing observed becomes denied.
        let impact = PolicyImpact(flows: Self.learnedFlows, current: before.compiler(), candidate: compiler)
        #expect(!impact.anyBecomesDenied && impact.connections == 7 && impact.untraceable == [])
    }

    @Test func compiledSuggestionDeniesWhatWasNotSeen() throws {
        let compiler = try Self.clusterWithSuggestion().after.compiler()
        let unseen: [PolicyTraceQuery] = [
            PolicyTraceQuery(from: key("x/a"), to: key("x/b"), port: 81),
            PolicyTraceQuery(from: key("x/a"), to: key("x/b"), port: 80, protocol: .udp),
            PolicyTraceQuery(from: key("y/a"), to: key("x/b"), port: 81),
            PolicyTraceQuery(from: key("y/b"), to: key("x/b"), port: 80),
            PolicyTraceQuery(from: key("x/a"), to: key("y/a"), port: 80),
            PolicyTraceQuery(from: key("x/b"), to: key("x/a"), port: 80),
            PolicyTraceQuery(from: key("z/c"), to: key("x/c"), port: 80),
            PolicyTraceQuery(source: .pod(key("x/a")), destination: .address(Self.outside), proto: 6, port: 80),
            PolicyTraceQuery(source: .pod(key("x/a")), destination: .address(IPAddress("203.0.113.8")!), proto: 6, port: 443),
            PolicyTraceQuery(source: .pod(key("x/a")), destination: .node(Self.node), proto: 6, port: 22),
            PolicyTraceQuery(source: .pod(key("x/b")), destination: .node(Self.node), proto: 6, port: 10250),
            PolicyTraceQuery(source: .pod(key("x/a")), destination: .pod(key("kube-system/coredns")), proto: 17, port: 54),
        ]
        for query in unseen {
            #expect(try !compiler.trace(query).isAllowed, "\(query)")
        }
        // ICMP widens to every protocol of that peer, and only that peer.
        #expect(try compiler.trace(PolicyTraceQuery(from: key("x/c"), to: key("z/c"), port: 5000, protocol: .udp)).isAllowed)
        #expect(try !compiler.trace(PolicyTraceQuery(from: key("x/c"), to: key("z/b"), port: 80)).isAllowed)
    }
}
