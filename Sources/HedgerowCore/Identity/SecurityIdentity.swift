/// A numeric security identity, with Cilium's numbering so that flows and tools line up:
/// reserved identities below 256, identities allocated from label sets from 256, and
/// node-local CIDR identities with bit 24 set.
public struct SecurityIdentity: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// "Any identity": a wildcard in policy entries, never an endpoint's identity.
    public static let any = SecurityIdentity(rawValue: 0)
    public static let host = SecurityIdentity(rawValue: 1)
    public static let world = SecurityIdentity(rawValue: 2)
    public static let unmanaged = SecurityIdentity(rawValue: 3)
    public static let health = SecurityIdentity(rawValue: 4)
    public static let initializing = SecurityIdentity(rawValue: 5)
    public static let remoteNode = SecurityIdentity(rawValue: 6)
    public static let kubeAPIServer = SecurityIdentity(rawValue: 7)

    /// First identity allocated for a set of endpoint labels.
    public static let firstAllocated: UInt32 = 256
    /// Node-local identities (CIDR selectors) carry this bit.
    public static let localScopeBit: UInt32 = 1 << 24

    public var isReserved: Bool { rawValue > 0 && rawValue < Self.firstAllocated }
    public var isLocalCIDR: Bool { rawValue & Self.localScopeBit != 0 }

    /// Cilium's names for the reserved identities (`reserved:world` shows as "world").
    public var reservedName: String? {
        switch self {
        case .host: "host"
        case .world: "world"
        case .unmanaged: "unmanaged"
        case .health: "health"
        case .initializing: "init"
        case .remoteNode: "remote-node"
        case .kubeAPIServer: "kube-apiserver"
        default: nil
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { reservedName.map { "\(rawValue) (\($0))" } ?? "\(rawValue)" }
}
