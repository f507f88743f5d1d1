/// A Kubernetes namespace and its labels.
public struct Namespace: Hashable, Sendable {
    /// The label the API server puts on every namespace (value: the namespace's name); network
    /// policies commonly select namespaces by it, so standalone mode sets it too.
    public static let nameLabelKey = "kubernetes.io/metadata.name"

    public let name: String
    /// The namespace's labels, including `kubernetes.io/metadata.name`.
    public let labels: Labels
    /// True when no Namespace object declares it and it exists only because pods (or other
    /// namespaced objects) live in it. Kubernetes would reject such objects; standalone users
    /// expect them to work, so the namespace is implied, with no labels of its own.
    public var isImplied: Bool

    /// `labels` are the user's labels; `kubernetes.io/metadata.name` is set (or overwritten,
    /// as the API server does) to `name`.
    public init(name: String, labels: Labels = Labels(), isImplied: Bool = false) {
        self.name = name
        var labels = labels
        labels[Self.nameLabelKey] = name
        self.labels = labels
        self.isImplied = isImplied
    }
}
