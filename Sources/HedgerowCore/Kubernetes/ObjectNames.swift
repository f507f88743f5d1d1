/// A namespaced object's name: `namespace/name`, as Kubernetes' `types.NamespacedName`.
public struct NamespacedName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public static func < (lhs: NamespacedName, rhs: NamespacedName) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    public var description: String { "\(namespace)/\(name)" }
}

/// Which object a message is about: `Pod x/a`, `Namespace x`, `Service x/web`.
public struct ObjectReference: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var kind: String
    /// Nil for cluster-scoped objects (Namespace, CiliumClusterwideNetworkPolicy).
    public var namespace: String?
    /// Empty when the manifest does not give one (the reference then prints as the kind alone).
    public var name: String

    public init(kind: String, namespace: String? = nil, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    public static func < (lhs: ObjectReference, rhs: ObjectReference) -> Bool {
        (lhs.kind, lhs.namespace ?? "", lhs.name) < (rhs.kind, rhs.namespace ?? "", rhs.name)
    }

    public var description: String {
        if name.isEmpty { return kind }
        if let namespace { return "\(kind) \(namespace)/\(name)" }
        return "\(kind) \(name)"
    }
}
