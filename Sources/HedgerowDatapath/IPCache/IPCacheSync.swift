import CHedgerowABI
import HedgerowBPF
import HedgerowCore
import Synchronization

/// What one ipcache sync changed.
public struct IPCacheSyncReport: Sendable, Equatable {
    public var written = 0
    public var removed = 0
}

/// Keeps `hedgerow_ipcache` (IP prefix -> security identity, longest prefix wins, `world` when
/// nothing matches) equal to the agent's table, by diff. Every lookup a packet makes during a
/// change returns the old or the new identity (see `IPCacheSyncPlan`); identities should have
/// their policy entries before an address points at them.
public final class IPCacheSync: Sendable {
    private let map: BPFMap<hedgerow_ipcache_key, hedgerow_ipcache_value>
    /// What the map holds, read from it at start (a restarted agent adopts the pinned map).
    private let mirror: Mutex<[IPPrefix: SecurityIdentity]>

    init(map: BPFMap<hedgerow_ipcache_key, hedgerow_ipcache_value>) throws {
        self.map = map
        var adopted: [IPPrefix: SecurityIdentity] = [:]
        for (key, value) in try map.entries() {
            guard let prefix = ABIAddress.prefix(key.addr, length: key.prefixlen) else { continue }
            adopted[prefix] = SecurityIdentity(rawValue: value.identity)
        }
        mirror = Mutex(adopted)
    }

    /// Makes the map hold exactly `table`.
    @discardableResult
    public func apply(_ table: [IPPrefix: SecurityIdentity]) throws -> IPCacheSyncReport {
        try mirror.withLock { current in try execute(IPCacheSyncPlan(current: current, desired: table), on: &current) }
    }

    /// Sets (identity) or removes (nil) single prefixes, leaving the others alone.
    @discardableResult
    public func update(_ changes: [IPPrefix: SecurityIdentity?]) throws -> IPCacheSyncReport {
        try mirror.withLock { current in
            var desired = current
            for (prefix, identity) in changes { desired[prefix] = identity }
            return try execute(IPCacheSyncPlan(current: current, desired: desired), on: &current)
        }
    }

    /// The table as the map holds it.
    public var entries: [IPPrefix: SecurityIdentity] { mirror.withLock { $0 } }

    /// The identity the datapath gives `address`: the kernel's longest-prefix match, else world.
    public func identity(of address: IPAddress) throws -> SecurityIdentity {
        let key = hedgerow_ipcache_key(prefixlen: 128, addr: ABIAddress.bytes(address), _pad: 0)
        return try map.lookup(key).map { SecurityIdentity(rawValue: $0.identity) } ?? .world
    }

    private func execute(_ plan: IPCacheSyncPlan, on current: inout [IPPrefix: SecurityIdentity]) throws -> IPCacheSyncReport {
        var report = IPCacheSyncReport()
        for (prefix, identity) in plan.upserts {
            try map.update(Self.key(prefix), hedgerow_ipcache_value(identity: identity.rawValue, flags: 0))
            current[prefix] = identity
            report.written += 1
        }
        for prefix in plan.deletions {
            _ = try map.delete(Self.key(prefix))
            current[prefix] = nil
            report.removed += 1
        }
        return report
    }

    static func key(_ prefix: IPPrefix) -> hedgerow_ipcache_key {
        hedgerow_ipcache_key(prefixlen: ABIAddress.prefixLength(prefix), addr: ABIAddress.bytes(prefix.address), _pad: 0)
    }
}
