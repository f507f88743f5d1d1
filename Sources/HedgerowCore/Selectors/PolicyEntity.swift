/// Cilium's entities: peers named by what they are rather than by labels
/// (`fromEntities` / `toEntities`).
///
/// What each one stands for here (`members(...)`):
///
/// | entity | identities |
/// | --- | --- |
/// | `all` | every identity (a wildcard entry) |
/// | `world` | world (2) and every CIDR identity: addresses that are no known pod |
/// | `cluster` | every pod identity, and host, remote-node, init, health, unmanaged |
/// | `host` | host (1) |
/// | `remote-node` | remote-node (6) |
/// | `kube-apiserver` | kube-apiserver (7) |
/// | `health`, `init`, `unmanaged` | 4, 5, 3 |
/// | `none` | nothing |
///
/// `cluster` does not include kube-apiserver (Cilium gives it its own entity) nor world.
public enum PolicyEntity: String, Hashable, Sendable, CaseIterable, Comparable {
    case all
    case world
    case cluster
    case host
    case remoteNode = "remote-node"
    case kubeAPIServer = "kube-apiserver"
    case health
    case initializing = "init"
    case unmanaged
    case none

    /// Reserved identities that belong to the entity (pod and CIDR identities aside).
    public var reservedIdentities: [SecurityIdentity] {
        switch self {
        case .all, .none: []
        case .world: [.world]
        case .cluster: [.host, .remoteNode, .initializing, .health, .unmanaged]
        case .host: [.host]
        case .remoteNode: [.remoteNode]
        case .kubeAPIServer: [.kubeAPIServer]
        case .health: [.health]
        case .initializing: [.initializing]
        case .unmanaged: [.unmanaged]
        }
    }

    /// Whether every pod identity belongs to it.
    public var includesPods: Bool { self == .cluster }

    /// Whether every CIDR identity belongs to it.
    public var includesCIDRs: Bool { self == .world }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
