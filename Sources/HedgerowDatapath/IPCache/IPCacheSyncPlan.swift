import HedgerowCore

/// The ipcache writes that take the map from one prefix -> identity table to another, ordered
/// so that every lookup during the change returns the identity of the old or of the new table:
/// writes go longest prefix first (when a prefix is written, every longer new prefix already
/// is, so a lookup that ends on it sees the new answer), deletions shortest prefix first (an
/// old prefix still present is then the old table's longest match).
struct IPCacheSyncPlan: Equatable, Sendable {
    var upserts: [(prefix: IPPrefix, identity: SecurityIdentity)]
    var deletions: [IPPrefix]

    init(current: [IPPrefix: SecurityIdentity], desired: [IPPrefix: SecurityIdentity]) {
        upserts = desired.filter { current[$0.key] != $0.value }
            .map { (prefix: $0.key, identity: $0.value) }
            .sorted { Self.longerFirst($0.prefix, $1.prefix) }
        deletions = current.keys.filter { desired[$0] == nil }.sorted { Self.longerFirst($1, $0) }
    }

    var isEmpty: Bool { upserts.isEmpty && deletions.isEmpty }

    /// By length in the 128-bit key (IPv4 counts from bit 96), then by address for a stable order.
    static func longerFirst(_ a: IPPrefix, _ b: IPPrefix) -> Bool {
        let (la, lb) = (ABIAddress.prefixLength(a), ABIAddress.prefixLength(b))
        return la != lb ? la > lb : a < b
    }

    static func == (l: Self, r: Self) -> Bool {
        l.deletions == r.deletions && l.upserts.map(\.prefix) == r.upserts.map(\.prefix)
            && l.upserts.map(\.identity) == r.upserts.map(\.identity)
    }
}
