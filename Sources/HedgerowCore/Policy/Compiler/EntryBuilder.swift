/// Collects one endpoint's allow and deny entries, then resolves "deny beats allow" into the
/// form `EndpointPolicy` documents: unique keys, no allow covered by a deny of the same remote.
struct EntryBuilder {
    /// Origins per key; a key almost always has one, so a small array beats a set.
    private var allows: [PolicyEntry.Key: [String]] = [:]
    private var denies: [PolicyEntry.Key: [String]] = [:]

    mutating func add(_ key: PolicyEntry.Key, _ action: PolicyEntry.Action, origin: String) {
        switch action {
        case .allow: Self.insert(origin, into: &allows[key, default: []])
        case .deny: Self.insert(origin, into: &denies[key, default: []])
        }
    }

    private static func insert(_ origin: String, into origins: inout [String]) {
        if !origins.contains(origin) { origins.append(origin) }
    }

    /// Entries for `remote` and every key of `ports` (nil: every protocol and port).
    mutating func add(
        direction: TrafficDirection, remote: SecurityIdentity, view: PolicyView = .enforced,
        keys: [(proto: UInt8, prefix: PortPrefix)], action: PolicyEntry.Action, origin: String
    ) {
        for (proto, prefix) in keys {
            add(
                PolicyEntry.Key(
                    direction: direction, remote: remote, proto: proto, port: prefix.port,
                    portPrefixLength: prefix.length, view: view),
                action, origin: origin)
        }
    }

    func build() -> [PolicyEntry] {
        var deniesByRemote: [PairKey: [PolicyEntry.Key]] = [:]
        for key in denies.keys { deniesByRemote[PairKey(key), default: []].append(key) }
        var entries: [PolicyEntry] = denies.map { PolicyEntry(key: $0.key, action: .deny, origins: $0.value.sorted()) }
        for (key, origins) in allows {
            let covered = deniesByRemote[PairKey(key)]?.contains { key.isCovered(by: $0) } ?? false
            if !covered { entries.append(PolicyEntry(key: key, action: .allow, origins: origins.sorted())) }
        }
        return entries.sorted()
    }

    /// The same resolution for the few entries of one group (one direction and remote), without
    /// the dictionaries: patches recompute many small groups.
    static func resolveGroup(_ items: [(key: PolicyEntry.Key, action: PolicyEntry.Action, origin: String)])
        -> [PolicyEntry]
    {
        var merged: [PolicyEntry] = []
        for item in items.sorted(by: { ($0.key, $0.action.rawValue) < ($1.key, $1.action.rawValue) }) {
            if let last = merged.last, last.key == item.key, last.action == item.action {
                if !last.origins.contains(item.origin) { merged[merged.count - 1].origins.append(item.origin) }
            } else {
                merged.append(PolicyEntry(key: item.key, action: item.action, origins: [item.origin]))
            }
        }
        let denies = merged.filter { $0.action == .deny }.map(\.key)
        return merged.compactMap { entry in
            if entry.action == .allow && denies.contains(where: { entry.key.isCovered(by: $0) }) { return nil }
            var entry = entry
            entry.origins.sort()
            return entry
        }
    }

    private struct PairKey: Hashable {
        var view: PolicyView
        var direction: TrafficDirection
        var remote: SecurityIdentity
        init(_ key: PolicyEntry.Key) {
            view = key.view
            direction = key.direction
            remote = key.remote
        }
    }
}
