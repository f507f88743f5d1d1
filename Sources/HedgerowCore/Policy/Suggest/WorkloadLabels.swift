/// The labels that pick a flow end's workload: the pod's own Kubernetes labels, without what
/// the agent or Cilium derives from the namespace and without what differs between the replicas
/// of one workload, so that every replica maps to one selector.
public enum WorkloadLabels {
    /// Set by controllers per pod or per rollout: selecting on them would pick one replica, or
    /// stop matching after the next rollout.
    public static let volatileKeys: Set<String> = [
        "pod-template-hash", "controller-revision-hash", "pod-template-generation",
        "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index",
    ]

    /// Keys under these prefixes come from the namespace or Cilium, not from the pod.
    static let derivedKeyPrefixes = ["io.cilium.k8s.", "io.kubernetes."]

    /// The stable labels among a flow end's labels (`k8s:` ones only; `reserved:` and others
    /// name identities, not pods).
    public static func stable(_ labels: [FlowLabel]) -> Labels {
        var result = Labels()
        for label in labels where label.source == "k8s" && isStable(key: label.key) {
            result[label.key] = label.value
        }
        return result
    }

    public static func isStable(key: String) -> Bool {
        !volatileKeys.contains(key) && !derivedKeyPrefixes.contains { key.hasPrefix($0) }
    }
}
