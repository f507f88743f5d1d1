/// Names for suggested policies: "suggested-" plus the workload's name as people call it (the
/// value of `app.kubernetes.io/name`, `app` or `k8s-app`), else its labels joined ("pod-a"),
/// else a pod's name; made a DNS-1123 label and unique within one suggestion.
enum SuggestedPolicyNames {
    static let prefix = "suggested-"
    static let nameKeys = ["app.kubernetes.io/name", "app", "k8s-app"]
    /// Room is left for "-node" (the companion CiliumNetworkPolicy) and a "-NN" suffix.
    static let maxBaseLength = KubernetesValidation.dns1123LabelMaxLength - prefix.count - 10

    /// One name per workload, in the order given (which must be deterministic). Workloads whose
    /// preferred names collide are named by all their labels instead; what still collides gets
    /// a number.
    static func assign(_ workloads: [(labels: Labels, pods: [String])]) -> [String] {
        let preferred = workloads.map { preferredBase($0.labels, pods: $0.pods) }
        var counts: [String: Int] = [:]
        for base in preferred { counts[base, default: 0] += 1 }
        var taken: Set<String> = []
        return zip(workloads, preferred).map { workload, base in
            let stem = counts[base]! > 1 ? fullBase(workload.labels, pods: workload.pods) : base
            var name = stem
            var suffix = 2
            while taken.contains(name) {
                name = "\(stem)-\(suffix)"
                suffix += 1
            }
            taken.insert(name)
            return prefix + name
        }
    }

    private static func preferredBase(_ labels: Labels, pods: [String]) -> String {
        for key in nameKeys {
            if let value = labels[key], let name = sanitized(value) { return name }
        }
        return fullBase(labels, pods: pods)
    }

    private static func fullBase(_ labels: Labels, pods: [String]) -> String {
        let joined = labels.map { "\($0.key)-\($0.value)" }.joined(separator: "-")
        return sanitized(joined) ?? pods.first.flatMap(sanitized) ?? "workload"
    }

    /// Lowercase letters and digits, other runs as one "-", no "-" at either end, cut to length;
    /// nil when nothing is left.
    static func sanitized(_ text: String) -> String? {
        var result = ""
        for character in text.lowercased().unicodeScalars {
            if ("a"..."z").contains(character) || ("0"..."9").contains(character) {
                result.unicodeScalars.append(character)
            } else if !result.isEmpty && !result.hasSuffix("-") {
                result += "-"
            }
        }
        result = String(result.prefix(maxBaseLength))
        while result.hasSuffix("-") { result.removeLast() }
        return result.isEmpty ? nil : result
    }
}
