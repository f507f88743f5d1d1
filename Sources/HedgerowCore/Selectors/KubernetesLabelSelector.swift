/// A Kubernetes label selector (`metav1.KubernetesLabelSelector`) with Kubernetes' matching rules.
///
/// Every requirement must hold (AND). `matchLabels` entries are `In` requirements with one value,
/// so a selector is kept as one sorted list of requirements: two selectors that say the same
/// thing in the same words are equal values, which is what the compiler caches selectors by.
/// The empty selector matches every label set; "matches nothing" is not a selector but the
/// absence of one (an optional at the place that allows it).
public struct KubernetesLabelSelector: Hashable, Sendable, CustomStringConvertible {
    /// Sorted by key, then operator, then values; no duplicates.
    public private(set) var requirements: [LabelSelectorRequirement]

    /// The empty selector: matches everything.
    public init() { requirements = [] }

    public init(matchLabels: [String: String] = [:], matchExpressions: [LabelSelectorRequirement] = []) {
        let labels = matchLabels.map { LabelSelectorRequirement(key: $0.key, operator: .in, values: [$0.value]) }
        self.init(requirements: labels + matchExpressions)
    }

    public init(requirements: [LabelSelectorRequirement]) {
        self.requirements = Array(Set(requirements)).sorted()
    }

    public var isEmpty: Bool { requirements.isEmpty }

    /// Whether `labels` satisfy every requirement.
    public func matches(_ labels: Labels) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// This selector with more requirements (AND).
    public func adding(_ more: [LabelSelectorRequirement]) -> KubernetesLabelSelector {
        KubernetesLabelSelector(requirements: requirements + more)
    }

    /// Whether some requirement is about `key`.
    public func constrains(key: String) -> Bool {
        requirements.contains { $0.key == key }
    }

    /// Kubernetes' selector string form: `app=web,tier in (a,b),!legacy`; `<all>` when empty.
    public var description: String {
        isEmpty ? "<all>" : requirements.map(\.description).joined(separator: ",")
    }
}

/// One requirement of a label selector (`matchExpressions[]`, or a `matchLabels` entry).
public struct LabelSelectorRequirement: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Kubernetes' operator names, which are case-sensitive.
    public enum Operator: String, Hashable, Sendable, CaseIterable, Comparable {
        case `in` = "In"
        case notIn = "NotIn"
        case exists = "Exists"
        case doesNotExist = "DoesNotExist"

        public static func < (lhs: Self, rhs: Self) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public var key: String
    public var `operator`: Operator
    /// Sorted and unique; empty for Exists and DoesNotExist.
    public var values: [String]

    public init(key: String, operator: Operator, values: [String] = []) {
        self.key = key
        self.operator = `operator`
        self.values = Array(Set(values)).sorted()
    }

    /// In: the key is present with one of the values. NotIn: the key is absent or its value is
    /// none of them. Exists / DoesNotExist: the key is present / absent, whatever its value.
    public func matches(_ labels: Labels) -> Bool {
        let value = labels[key]
        switch self.operator {
        case .in: return value.map { values.contains($0) } ?? false
        case .notIn: return value.map { !values.contains($0) } ?? true
        case .exists: return value != nil
        case .doesNotExist: return value == nil
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        if lhs.key != rhs.key { return lhs.key < rhs.key }
        if lhs.operator != rhs.operator { return lhs.operator < rhs.operator }
        return lhs.values.lexicographicallyPrecedes(rhs.values)
    }

    public var description: String {
        switch self.operator {
        case .in where values.count == 1: "\(key)=\(values[0])"
        case .in: "\(key) in (\(values.joined(separator: ",")))"
        case .notIn: "\(key) notin (\(values.joined(separator: ",")))"
        case .exists: key
        case .doesNotExist: "!\(key)"
        }
    }
}
