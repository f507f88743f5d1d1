/// The policy kinds Hedgerow reads, with their apiVersion.
public enum PolicyKind: String, Hashable, Sendable, CaseIterable {
    case networkPolicy = "NetworkPolicy"
    case ciliumNetworkPolicy = "CiliumNetworkPolicy"
    case ciliumClusterwideNetworkPolicy = "CiliumClusterwideNetworkPolicy"

    public var apiVersion: String {
        switch self {
        case .networkPolicy: "networking.k8s.io/v1"
        case .ciliumNetworkPolicy, .ciliumClusterwideNetworkPolicy: "cilium.io/v2"
        }
    }

    public var isNamespaced: Bool { self != .ciliumClusterwideNetworkPolicy }
}

/// One policy object of any supported kind, as ClusterState keeps it (keyed by `reference`:
/// kind, namespace, name).
public enum PolicyObject: Hashable, Sendable {
    case kubernetes(NetworkPolicy)
    case cilium(CiliumNetworkPolicy)

    public var reference: ObjectReference {
        switch self {
        case .kubernetes(let policy): policy.reference
        case .cilium(let policy): policy.reference
        }
    }

    public var kind: PolicyKind {
        switch self {
        case .kubernetes: .networkPolicy
        case .cilium(let policy): policy.kind
        }
    }

    public var mode: PolicyMode {
        switch self {
        case .kubernetes(let policy): policy.mode
        case .cilium(let policy): policy.mode
        }
    }
}
