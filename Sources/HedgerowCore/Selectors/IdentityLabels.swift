/// The labels a pod's security identity is derived from, in Cilium's convention so that
/// CiliumNetworkPolicy selectors written for Cilium work unchanged:
///
/// - the pod's own labels;
/// - `io.kubernetes.pod.namespace=<namespace>`;
/// - every label of the pod's namespace as `io.cilium.k8s.namespace.labels.<key>=<value>`
///   (including `kubernetes.io/metadata.name`, which every namespace carries).
///
/// A Kubernetes NetworkPolicy's `namespaceSelector` is the same selector over the prefixed keys,
/// so every selector of either language is a selector over identity labels, and two pods with
/// equal identity labels are indistinguishable to policy (they share an identity).
///
/// A pod label that uses one of these keys itself is overwritten by the namespace's value, as in
/// Cilium: a pod cannot claim to live in another namespace.
public enum IdentityLabels {
    public static let namespaceKey = "io.kubernetes.pod.namespace"
    public static let namespaceLabelPrefix = "io.cilium.k8s.namespace.labels."

    /// Identity labels of a pod in a namespace with `namespaceLabels`.
    public static func of(podLabels: Labels, namespace: String, namespaceLabels: Labels) -> Labels {
        var labels = podLabels
        for key in podLabels.keys where key.hasPrefix(namespaceLabelPrefix) {
            labels[key] = nil
        }
        labels[namespaceKey] = namespace
        for label in namespaceLabels {
            labels[namespaceLabelPrefix + label.key] = label.value
        }
        return labels
    }

    public static func of(_ pod: Pod, in namespace: Namespace?) -> Labels {
        of(
            podLabels: pod.labels, namespace: pod.namespace,
            namespaceLabels: namespace?.labels ?? Namespace(name: pod.namespace).labels)
    }

    /// A namespace selector (over namespace labels) as requirements over identity labels.
    public static func namespaceRequirements(_ namespaceSelector: KubernetesLabelSelector) -> [LabelSelectorRequirement]
    {
        namespaceSelector.requirements.map {
            LabelSelectorRequirement(key: namespaceLabelPrefix + $0.key, operator: $0.operator, values: $0.values)
        }
    }

    /// "In namespace `name`".
    public static func inNamespace(_ name: String) -> LabelSelectorRequirement {
        LabelSelectorRequirement(key: namespaceKey, operator: .in, values: [name])
    }
}
