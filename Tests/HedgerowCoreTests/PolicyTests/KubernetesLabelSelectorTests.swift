import Testing

@testable import HedgerowCore

@Suite struct KubernetesLabelSelectorTests {
    let web: Labels = ["app": "web", "tier": "frontend"]
    let db: Labels = ["app": "db"]
    let none: Labels = [:]

    @Test func emptySelectorMatchesEverything() {
        let selector = KubernetesLabelSelector()
        #expect(selector.isEmpty)
        #expect(selector.matches(web) && selector.matches(db) && selector.matches(none))
        #expect(selector.description == "<all>")
    }

    @Test func matchLabelsNeedEveryLabel() {
        let selector = KubernetesLabelSelector(matchLabels: ["app": "web", "tier": "frontend"])
        #expect(selector.matches(web))
        #expect(!selector.matches(["app": "web"]))
        #expect(!selector.matches(db))
    }

    @Test func inNeedsTheKeyWithOneOfTheValues() {
        let selector = KubernetesLabelSelector(matchExpressions: [
            .init(key: "app", operator: .in, values: ["web", "api"])
        ])
        #expect(selector.matches(web))
        #expect(!selector.matches(db))
        #expect(!selector.matches(none))
    }

    @Test func notInMatchesAnAbsentKey() {
        let selector = KubernetesLabelSelector(matchExpressions: [.init(key: "app", operator: .notIn, values: ["web"])])
        #expect(!selector.matches(web))
        #expect(selector.matches(db))
        #expect(selector.matches(none))
    }

    @Test func existsAndDoesNotExistIgnoreValues() {
        let exists = KubernetesLabelSelector(matchExpressions: [.init(key: "tier", operator: .exists)])
        let absent = KubernetesLabelSelector(matchExpressions: [.init(key: "tier", operator: .doesNotExist)])
        #expect(exists.matches(web) && !exists.matches(db))
        #expect(!absent.matches(web) && absent.matches(db) && absent.matches(none))
    }

    @Test func labelsAndExpressionsAreAnded() {
        let selector = KubernetesLabelSelector(
            matchLabels: ["app": "web"], matchExpressions: [.init(key: "tier", operator: .notIn, values: ["frontend"])])
        #expect(!selector.matches(web))
        #expect(selector.matches(["app": "web", "tier": "backend"]))
        #expect(selector.matches(["app": "web"]))
        // Contradictions match nothing.
        let never = KubernetesLabelSelector(
            matchLabels: ["app": "web"], matchExpressions: [.init(key: "app", operator: .doesNotExist)])
        #expect(!never.matches(web) && !never.matches(none))
    }

    @Test func sameMeaningSameValue() {
        let a = KubernetesLabelSelector(
            matchLabels: ["app": "web"], matchExpressions: [.init(key: "x", operator: .in, values: ["b", "a", "a"])])
        let b = KubernetesLabelSelector(matchExpressions: [
            .init(key: "x", operator: .in, values: ["a", "b"]), .init(key: "app", operator: .in, values: ["web"]),
        ])
        #expect(a == b)
        #expect(a.description == "app=web,x in (a,b)")
    }

    @Test func descriptionUsesKubernetesSyntax() {
        let selector = KubernetesLabelSelector(matchExpressions: [
            .init(key: "a", operator: .notIn, values: ["1", "2"]), .init(key: "b", operator: .exists),
            .init(key: "c", operator: .doesNotExist),
        ])
        #expect(selector.description == "a notin (1,2),b,!c")
    }
}

@Suite struct IdentityLabelsTests {
    @Test func podLabelsPlusNamespaceAndItsLabels() {
        let namespace = Namespace(name: "x", labels: ["team": "blue"])
        let pod = Pod(namespace: "x", name: "a", labels: ["app": "web"])
        let labels = IdentityLabels.of(pod, in: namespace)
        #expect(
            labels == [
                "app": "web", "io.kubernetes.pod.namespace": "x", "io.cilium.k8s.namespace.labels.team": "blue",
                "io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name": "x",
            ])
    }

    @Test func aPodCannotClaimAnotherNamespace() {
        let pod = Pod(
            namespace: "x", name: "a",
            labels: ["io.kubernetes.pod.namespace": "kube-system", "io.cilium.k8s.namespace.labels.trusted": "yes"])
        let labels = IdentityLabels.of(pod, in: Namespace(name: "x"))
        #expect(labels["io.kubernetes.pod.namespace"] == "x")
        #expect(labels["io.cilium.k8s.namespace.labels.trusted"] == nil)
    }

    @Test func anImpliedNamespaceHasItsNameLabel() {
        let labels = IdentityLabels.of(Pod(namespace: "q", name: "a"), in: nil)
        #expect(labels["io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name"] == "q")
    }

    @Test func namespaceSelectorsBecomePrefixedRequirements() {
        let selector = KubernetesLabelSelector(
            matchLabels: ["team": "blue"], matchExpressions: [.init(key: "env", operator: .doesNotExist)])
        let requirements = IdentityLabels.namespaceRequirements(selector)
        let identity = KubernetesLabelSelector(requirements: requirements)
        let blue = IdentityLabels.of(Pod(namespace: "x", name: "a"), in: Namespace(name: "x", labels: ["team": "blue"]))
        let prod = IdentityLabels.of(
            Pod(namespace: "y", name: "a"), in: Namespace(name: "y", labels: ["team": "blue", "env": "prod"]))
        #expect(identity.matches(blue))
        #expect(!identity.matches(prod))
    }

    @Test func entitiesHaveCiliumsNames() {
        #expect(PolicyEntity(rawValue: "remote-node") == .remoteNode)
        #expect(PolicyEntity(rawValue: "kube-apiserver") == .kubeAPIServer)
        #expect(PolicyEntity(rawValue: "init") == .initializing)
        #expect(PolicyEntity.cluster.reservedIdentities.contains(.host))
        #expect(!PolicyEntity.cluster.reservedIdentities.contains(.world))
        #expect(!PolicyEntity.cluster.reservedIdentities.contains(.kubeAPIServer))
    }
}
