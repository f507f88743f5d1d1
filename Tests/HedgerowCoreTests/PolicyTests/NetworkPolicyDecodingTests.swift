import Testing

@testable import HedgerowCore

@Suite struct NetworkPolicyDecodingTests {
    @Test func policyTypesDefaultToIngress() throws {
        let policy = try #require(decodeNetworkPolicy(networkPolicyYAML("  podSelector: {}")))
        #expect(policy.policyTypes == [.ingress])
        #expect(policy.ingress.isEmpty && policy.egress.isEmpty)
    }

    @Test func policyTypesDefaultAddsEgressWhenEgressRulesExist() throws {
        let policy = try #require(decodeNetworkPolicy(networkPolicyYAML("  podSelector: {}\n  egress: [{}]")))
        #expect(policy.policyTypes == [.ingress, .egress])
    }

    @Test func anEmptyPolicyTypesListIsDefaultedToo() throws {
        let policy = try #require(
            decodeNetworkPolicy(networkPolicyYAML("  podSelector: {}\n  policyTypes: []\n  egress: [{}]")))
        #expect(policy.policyTypes == [.ingress, .egress])
    }

    @Test func anEmptyEgressListDoesNotAddEgress() throws {
        let policy = try #require(decodeNetworkPolicy(networkPolicyYAML("  podSelector: {}\n  egress: []")))
        #expect(policy.policyTypes == [.ingress])
    }

    @Test func explicitPolicyTypesAreKept() throws {
        let policy = try #require(decodeNetworkPolicy(networkPolicyYAML("  podSelector: {}\n  policyTypes: [Egress]")))
        #expect(policy.policyTypes == [.egress])
    }

    @Test func anAbsentSpecIsAnEmptyOne() throws {
        let yaml = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\n"
        let policy = try #require(decodeNetworkPolicy(yaml))
        #expect(policy.namespace == "default")
        #expect(policy.podSelector.isEmpty && policy.policyTypes == [.ingress])
    }

    @Test func emptyFromAndPortsMeanEverything() throws {
        let policy = try #require(
            decodeNetworkPolicy(networkPolicyYAML("  podSelector: {}\n  ingress: [{}, {from: [], ports: []}]")))
        #expect(policy.ingress == [NetworkPolicyRule(), NetworkPolicyRule()])
    }

    @Test func peersKeepAbsentAndEmptySelectorsApart() throws {
        let policy = try #require(
            decodeNetworkPolicy(
                networkPolicyYAML(
                    """
                      podSelector: {matchLabels: {app: db}}
                      ingress:
                      - from:
                        - podSelector: {}
                        - namespaceSelector: {}
                        - podSelector: {matchLabels: {app: web}}
                          namespaceSelector: {matchLabels: {team: a}}
                        - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
                    """)))
        #expect(
            policy.ingress[0].peers == [
                .pods(podSelector: KubernetesLabelSelector(), namespaceSelector: nil),
                .pods(podSelector: nil, namespaceSelector: KubernetesLabelSelector()),
                .pods(
                    podSelector: KubernetesLabelSelector(matchLabels: ["app": "web"]),
                    namespaceSelector: KubernetesLabelSelector(matchLabels: ["team": "a"])),
                .ipBlock(CIDRBlock(cidr: IPPrefix("10.0.0.0/8")!, except: [IPPrefix("10.1.0.0/16")!])),
            ])
    }

    @Test func portsDefaultToTCPAndKeepNamesAndRanges() throws {
        let policy = try #require(
            decodeNetworkPolicy(
                networkPolicyYAML(
                    """
                      podSelector: {}
                      ingress:
                      - ports:
                        - port: 80
                        - port: http
                          protocol: UDP
                        - port: 8000
                          endPort: 8080
                          protocol: SCTP
                        - protocol: UDP
                    """)))
        #expect(
            policy.ingress[0].ports == [
                NetworkPolicyPort(protocol: .tcp, port: .numbers(80...80)),
                NetworkPolicyPort(protocol: .udp, port: .named("http")),
                NetworkPolicyPort(protocol: .sctp, port: .numbers(8000...8080)),
                NetworkPolicyPort(protocol: .udp, port: nil),
            ])
    }

    @Test func matchExpressionsAreRead() throws {
        let policy = try #require(
            decodeNetworkPolicy(
                networkPolicyYAML(
                    """
                      podSelector:
                        matchExpressions:
                        - {key: tier, operator: In, values: [web, api]}
                        - {key: legacy, operator: DoesNotExist}
                    """)))
        #expect(policy.podSelector.description == "!legacy,tier in (api,web)")
    }

    @Test func errorsNameFileDocumentObjectAndField() {
        let yaml =
            networkPolicyYAML("  podSelector: {}", name: "ok") + "\n---\n"
            + networkPolicyYAML(
                "  podSelector: {}\n  ingress:\n  - ports:\n    - port: 5432\n    - {port: 80, endPort: 70}",
                name: "allow-db")
        #expect(
            policyErrors(yaml, file: "policies/x.yaml") == [
                "policies/x.yaml doc 2 (NetworkPolicy x/allow-db): spec.ingress[0].ports[1].endPort: 70 < port 80; endPort must be greater than or equal to port"
            ])
    }

    @Test func everyProblemOfADocumentIsReported() {
        let yaml = networkPolicyYAML(
            "  podSelector: {}\n  ingres: []\n  policyTypes: [Both]\n  egress: [{to: [{}], ports: [{port: 0}]}]")
        #expect(policyErrors(yaml).count == 4)
    }

    @Test func clusterStateKeepsPoliciesByKindNamespaceAndName() throws {
        let yaml =
            networkPolicyYAML("  podSelector: {}") + "\n---\n"
            + ciliumPolicyYAML("  endpointSelector: {}\n  ingress: [{}]")
            + "\n---\napiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: p}\nspec: {endpointSelector: {}}\n"
        let (state, warnings) = try ClusterState.load(files: [("p.yaml", yaml)])
        #expect(warnings.isEmpty)
        #expect(
            state.policies.keys.sorted().map(\.description) == [
                "CiliumClusterwideNetworkPolicy p", "CiliumNetworkPolicy x/p", "NetworkPolicy x/p",
            ])
    }

    @Test func duplicatePoliciesAreReported() {
        let yaml = networkPolicyYAML("  podSelector: {}") + "\n---\n" + networkPolicyYAML("  podSelector: {}")
        #expect(throws: ManifestLoadError.self) { try ClusterState.load(files: [("p.yaml", yaml)]) }
    }

    @Test func policyChangesShowInTheStateDiff() throws {
        let old = try ClusterState.load(files: [("p.yaml", networkPolicyYAML("  podSelector: {}"))]).state
        let new = try ClusterState.load(files: [
            ("p.yaml", networkPolicyYAML("  podSelector: {}\n  policyTypes: [Egress]"))
        ]).state
        let change = new.diff(from: old)
        #expect(change.policies.changed.count == 1 && change.pods.isEmpty)
        #expect(ClusterState().diff(from: new).policies.removed.count == 1)
    }
}

@Suite struct CiliumPolicyDecodingTests {
    @Test func readsTheSubset() throws {
        let policy = try #require(
            decodeCiliumPolicy(
                ciliumPolicyYAML(
                    """
                      description: the lot
                      endpointSelector: {matchLabels: {k8s:app: db}}
                      ingress:
                      - fromEndpoints:
                        - matchLabels: {any:app: web, k8s:io.kubernetes.pod.namespace: y}
                        toPorts:
                        - ports:
                          - {port: "5432", protocol: TCP}
                          - {port: "8000", endPort: 8100}
                      - fromEntities: [world, remote-node]
                      - fromCIDR: [192.168.1.1, 10.0.0.0/8]
                        fromCIDRSet: [{cidr: 172.16.0.0/12, except: [172.16.1.0/24]}]
                      egressDeny:
                      - toPorts: [{ports: [{port: 0, protocol: UDP}, {port: dns}]}]
                      enableDefaultDeny: {egress: false}
                      labels: [{key: owner, value: me, source: user}]
                    """)))
        #expect(policy.namespace == "x" && !policy.isClusterwide)
        #expect(policy.rules.count == 1)
        let rule = policy.rules[0]
        #expect(rule.endpointSelector == KubernetesLabelSelector(matchLabels: ["app": "db"]))
        #expect(
            rule.ingress[0].endpoints == [
                KubernetesLabelSelector(matchLabels: ["app": "web", "io.kubernetes.pod.namespace": "y"])
            ])
        #expect(
            rule.ingress[0].ports == [
                CiliumPort(port: .numbers(5432...5432), protocol: .tcp),
                CiliumPort(port: .numbers(8000...8100), protocol: .any),
            ])
        #expect(rule.ingress[1].entities == [.world, .remoteNode])
        #expect(
            rule.ingress[2].cidrs.map(\.description) == [
                "192.168.1.1/32", "10.0.0.0/8", "172.16.0.0/12 except 172.16.1.0/24",
            ])
        #expect(
            rule.egressDeny[0].ports == [
                CiliumPort(port: nil, protocol: .udp), CiliumPort(port: .named("dns"), protocol: .any),
            ])
        #expect(rule.defaultDenyIngress == nil && rule.defaultDenyEgress == false)
        #expect(rule.enablesDefaultDeny(.ingress) && !rule.enablesDefaultDeny(.egress))
    }

    @Test func specAndSpecsAddUp() throws {
        let yaml = """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {namespace: x, name: p}
            spec: {endpointSelector: {}, ingress: [{}]}
            specs:
            - {endpointSelector: {matchLabels: {a: b}}, egress: [{}]}
            """
        let policy = try #require(decodeCiliumPolicy(yaml))
        #expect(policy.rules.map(\.location) == ["spec", "specs[0]"])
    }

    @Test func clusterwidePoliciesHaveNoNamespace() throws {
        let yaml =
            "apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: all}\nspec: {endpointSelector: {}}\n"
        let policy = try #require(decodeCiliumPolicy(yaml))
        #expect(policy.isClusterwide && policy.reference.description == "CiliumClusterwideNetworkPolicy all")
    }

    @Test func defaultDenyFollowsTheSections() {
        #expect(CiliumRule(ingressDeny: [CiliumPeerRule()]).enablesDefaultDeny(.ingress))
        #expect(!CiliumRule(ingressDeny: [CiliumPeerRule()]).enablesDefaultDeny(.egress))
        #expect(!CiliumRule(ingress: [CiliumPeerRule()], defaultDenyIngress: false).enablesDefaultDeny(.ingress))
        #expect(CiliumRule(defaultDenyEgress: true).enablesDefaultDeny(.egress))
        #expect(!CiliumRule().enablesDefaultDeny(.ingress))
    }

    @Test func portsMayBeNumbersOrStrings() throws {
        let policy = try #require(
            decodeCiliumPolicy(
                ciliumPolicyYAML(
                    "  endpointSelector: {}\n  ingress: [{toPorts: [{ports: [{port: 80}, {port: \"0\", protocol: ANY}]}]}]"
                )))
        #expect(
            policy.rules[0].ingress[0].ports == [
                CiliumPort(port: .numbers(80...80)), CiliumPort(port: nil, protocol: .any),
            ])
    }
}
