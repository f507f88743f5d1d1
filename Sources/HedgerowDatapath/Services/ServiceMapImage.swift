import CHedgerowABI
import HedgerowCore

/// A backend map entry's identity: one address, port and protocol, shared by every frontend
/// that uses it.
public struct BackendKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var address: BackendAddress
    public var `protocol`: TransportProtocol

    public init(address: BackendAddress, protocol: TransportProtocol) {
        self.address = address
        self.protocol = `protocol`
    }

    public static func < (lhs: BackendKey, rhs: BackendKey) -> Bool {
        (lhs.address, lhs.protocol) < (rhs.address, rhs.protocol)
    }

    public var description: String { "\(address)/\(`protocol`.rawValue)" }
}

/// A backend map key: never 0, and not reused while the agent runs (a new backend always gets a
/// new number), so a program that read an old slot can never land on another service's backend.
public typealias BackendID = UInt32

/// `hedgerow_service_flags`.
public struct ServiceEntryFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let affinity = ServiceEntryFlags(rawValue: HEDGEROW_SVC_F_AFFINITY.rawValue)
    public static let local = ServiceEntryFlags(rawValue: HEDGEROW_SVC_F_LOCAL.rawValue)
    public static let noBackends = ServiceEntryFlags(rawValue: HEDGEROW_SVC_F_NO_BACKENDS.rawValue)
    public static let external = ServiceEntryFlags(rawValue: HEDGEROW_SVC_F_EXTERNAL.rawValue)
    public static let nodePort = ServiceEntryFlags(rawValue: HEDGEROW_SVC_F_NODE_PORT.rawValue)
}

/// `hedgerow_backend_flags`.
public struct BackendEntryFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let local = BackendEntryFlags(rawValue: UInt8(HEDGEROW_BACKEND_F_LOCAL.rawValue))
    public static let terminating = BackendEntryFlags(rawValue: UInt8(HEDGEROW_BACKEND_F_TERMINATING.rawValue))
}

/// Slot 0 of a frontend: everything but the backend list.
public struct FrontendHeader: Hashable, Sendable {
    public var serviceID: UInt16
    public var flags: ServiceEntryFlags
    public var affinityTimeoutSeconds: UInt32

    public init(serviceID: UInt16, flags: ServiceEntryFlags, affinityTimeoutSeconds: UInt32 = 0) {
        self.serviceID = serviceID
        self.flags = flags
        self.affinityTimeoutSeconds = affinityTimeoutSeconds
    }
}

/// One frontend as the service map holds it: the header and the backend id of each slot
/// (`backends[0]` is slot 1).
public struct FrontendEntry: Hashable, Sendable {
    public var header: FrontendHeader
    public var backends: [BackendID]

    public init(header: FrontendHeader, backends: [BackendID]) {
        self.header = header
        self.backends = backends
    }
}

public struct BackendEntry: Hashable, Sendable {
    public var key: BackendKey
    public var flags: BackendEntryFlags

    public init(key: BackendKey, flags: BackendEntryFlags = []) {
        self.key = key
        self.flags = flags
    }
}

/// (backend, service id) pairs of affinity services: `hedgerow_affinity_match`.
public struct AffinityMatch: Hashable, Sendable, Comparable {
    public var backend: BackendID
    public var serviceID: UInt16

    public static func < (lhs: AffinityMatch, rhs: AffinityMatch) -> Bool {
        (lhs.serviceID, lhs.backend) < (rhs.serviceID, rhs.backend)
    }
}

/// Everything the service, backend, rev-NAT and affinity-match maps hold, as values: what the
/// agent believes is in the kernel, or what it wants there.
public struct ServiceMapImage: Hashable, Sendable {
    public var frontends: [FrontendKey: FrontendEntry] = [:]
    public var backends: [BackendID: BackendEntry] = [:]
    /// The next backend id to hand out (ids only grow; see `BackendID`).
    public var nextBackendID: BackendID = 1

    public init(frontends: [FrontendKey: FrontendEntry] = [:], backends: [BackendID: BackendEntry] = [:], nextBackendID: BackendID? = nil) {
        self.frontends = frontends
        self.backends = backends
        self.nextBackendID = nextBackendID ?? (backends.keys.max().map { $0 &+ 1 } ?? 1)
    }

    /// `hedgerow_rev_nat`: service id -> frontend.
    public var revNAT: [UInt16: FrontendKey] {
        Dictionary(frontends.map { ($0.value.header.serviceID, $0.key) }, uniquingKeysWith: { first, _ in first })
    }

    /// `hedgerow_affinity_match`.
    public var affinityMatches: Set<AffinityMatch> {
        var matches: Set<AffinityMatch> = []
        for entry in frontends.values where entry.header.flags.contains(.affinity) {
            for backend in entry.backends { matches.insert(AffinityMatch(backend: backend, serviceID: entry.header.serviceID)) }
        }
        return matches
    }

    /// Backend ids by backend identity.
    public var backendIDs: [BackendKey: BackendID] {
        Dictionary(backends.map { ($0.value.key, $0.key) }, uniquingKeysWith: { first, _ in first })
    }

    /// Service map entries: one per frontend plus one per backend slot.
    public var serviceEntryCount: Int { frontends.values.reduce(0) { $0 + 1 + $1.backends.count } }
}
