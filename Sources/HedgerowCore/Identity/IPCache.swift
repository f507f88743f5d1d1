/// The node's map from IP prefixes to security identities (an LPM trie in BPF): how the
/// datapath learns the identity of the other side of a packet.
///
/// Contents, most specific first when prefixes nest:
/// - each pod address as a host prefix (/32, /128) → the pod's identity;
/// - each CIDR that a policy mentions → its node-local CIDR identity;
/// - `0.0.0.0/0` and `::/0` → world, so that every unknown address is world.
///
/// A pod address equal to a policy's host CIDR keeps the pod's identity: the CIDR peer then
/// matches the pod through its identity (the compiler adds pod identities to CIDR peers).
public struct IPCache: Hashable, Sendable {
    public private(set) var entries: [IPPrefix: SecurityIdentity]

    public static let defaultRoutes: [IPPrefix: SecurityIdentity] = [
        IPPrefix("0.0.0.0/0")!: .world, IPPrefix("::/0")!: .world,
    ]

    public init(entries: [IPPrefix: SecurityIdentity] = IPCache.defaultRoutes) {
        self.entries = entries
    }

    /// Builds the cache from pod addresses and CIDR identities. Two pods claiming one address is
    /// a broken cluster; the first pod in `podAddresses` order keeps it.
    public init(
        podAddresses: [(address: IPAddress, identity: SecurityIdentity)], cidrIdentities: [SecurityIdentity: IPPrefix]
    ) {
        var entries = Self.defaultRoutes
        for (identity, prefix) in cidrIdentities where prefix.length > 0 {
            entries[prefix] = identity
        }
        var claimed: Set<IPAddress> = []
        for (address, identity) in podAddresses where claimed.insert(address).inserted {
            entries[IPPrefix(host: address)] = identity
        }
        self.entries = entries
    }

    /// Sets or clears one entry (the compiler patches pod addresses this way).
    mutating func set(_ prefix: IPPrefix, _ identity: SecurityIdentity?) {
        entries[prefix] = identity
    }

    /// Longest-prefix match, as the datapath does: the identity of `address`.
    public func lookup(_ address: IPAddress) -> SecurityIdentity {
        let bits = address.family.bitCount
        for length in stride(from: bits, through: 0, by: -1) {
            if let prefix = IPPrefix(address: address, length: UInt8(length)), let identity = entries[prefix] {
                return identity
            }
        }
        return .world
    }

    /// Entries in prefix order (IPv4 first), for printing and for writing maps.
    public var sortedEntries: [(prefix: IPPrefix, identity: SecurityIdentity)] {
        entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// What to write and delete to turn `old` into `self`.
    public func diff(from old: IPCache) -> IPCacheDiff {
        var diff = IPCacheDiff()
        for (prefix, identity) in entries where old.entries[prefix] != identity {
            diff.upserted.append(IPCacheEntry(prefix: prefix, identity: identity))
        }
        for prefix in old.entries.keys where entries[prefix] == nil {
            diff.removed.append(prefix)
        }
        diff.upserted.sort { $0.prefix < $1.prefix }
        diff.removed.sort()
        return diff
    }
}

public struct IPCacheEntry: Hashable, Sendable, CustomStringConvertible {
    public var prefix: IPPrefix
    public var identity: SecurityIdentity

    public init(prefix: IPPrefix, identity: SecurityIdentity) {
        self.prefix = prefix
        self.identity = identity
    }

    public var description: String { "\(prefix) -> \(identity)" }
}

/// Changes to the ipcache map: entries to write (new or with a new identity) and prefixes to delete.
public struct IPCacheDiff: Hashable, Sendable {
    public var upserted: [IPCacheEntry] = []
    public var removed: [IPPrefix] = []

    public init(upserted: [IPCacheEntry] = [], removed: [IPPrefix] = []) {
        self.upserted = upserted
        self.removed = removed
    }

    public var isEmpty: Bool { upserted.isEmpty && removed.isEmpty }
}
