/// One label: a key and its value.
public struct Label: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    public static func < (lhs: Label, rhs: Label) -> Bool {
        (lhs.key, lhs.value) < (rhs.key, rhs.value)
    }

    public var description: String { "\(key)=\(value)" }
}

/// A set of Kubernetes labels: at most one value per key, always iterated in key order.
///
/// Being sorted makes equal label sets equal values with equal hashes and equal descriptions,
/// which identities (label set -> numeric identity) rely on. Construction does not validate;
/// `problems()` applies Kubernetes' rules where the labels come from user input.
public struct Labels: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// Sorted by key, keys unique.
    private var entries: [Label]

    public init() { entries = [] }

    public init(_ dictionary: [String: String]) {
        entries = dictionary.map { Label(key: $0.key, value: $0.value) }.sorted()
    }

    /// Duplicate keys: the last value wins.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// Keys in ascending order.
    public var keys: [String] { entries.map(\.key) }

    public var dictionary: [String: String] {
        Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) })
    }

    public subscript(key: String) -> String? {
        get {
            let index = insertionIndex(of: key)
            return index < entries.count && entries[index].key == key ? entries[index].value : nil
        }
        set {
            let index = insertionIndex(of: key)
            let exists = index < entries.count && entries[index].key == key
            switch (exists, newValue) {
            case (true, let value?): entries[index].value = value
            case (true, nil): entries.remove(at: index)
            case (false, let value?): entries.insert(Label(key: key, value: value), at: index)
            case (false, nil): break
            }
        }
    }

    public func contains(key: String) -> Bool { self[key] != nil }

    /// True when every label of `other` is also in `self` with the same value.
    public func isSuperset(of other: Labels) -> Bool {
        other.entries.allSatisfy { self[$0.key] == $0.value }
    }

    public func makeIterator() -> IndexingIterator<[Label]> { entries.makeIterator() }

    /// Kubernetes' label string format: `app=web,tier=frontend`.
    public var description: String { entries.map(\.description).joined(separator: ",") }

    /// Every key and value that breaks Kubernetes' rules, with what is wrong with it.
    public func problems() -> [LabelProblem] {
        entries.flatMap { label in
            KubernetesValidation.labelKeyProblems(label.key).map { LabelProblem(label: label, isKeyProblem: true, message: $0) }
                + KubernetesValidation.labelValueProblems(label.value).map {
                    LabelProblem(label: label, isKeyProblem: false, message: $0)
                }
        }
    }

    /// Binary search: the index of `key`, or where it would be inserted.
    private func insertionIndex(of key: String) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].key < key { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// A label key or value that Kubernetes would reject.
public struct LabelProblem: Hashable, Sendable, CustomStringConvertible {
    public var label: Label
    /// True when the key is at fault, false when the value is.
    public var isKeyProblem: Bool
    public var message: String

    public var description: String {
        isKeyProblem
            ? "label key \"\(label.key)\": \(message)"
            : "label \"\(label.key)\" value \"\(label.value)\": \(message)"
    }
}
