/// What one compiler update changed, for the datapath to apply: per-endpoint policy diffs,
/// identities that appeared or went away, and ipcache changes. Everything sorted.
///
/// Suggested order for a live datapath: the endpoint changes (each in the order described on
/// `EndpointPolicyChange`), then the ipcache changes. Entries for a new identity are then in
/// place before any address maps to it; entries of a freed identity go with its last address
/// (a freed number is not reused within the same update).
public struct PolicyUpdate: Hashable, Sendable {
    /// Endpoints whose policy changed (or that appeared or went away), by pod.
    public var endpoints: [EndpointPolicyChange] = []
    public var identitiesAdded: [IdentityEntry] = []
    public var identitiesRemoved: [IdentityEntry] = []
    public var ipcache = IPCacheDiff()
    /// Endpoints compiled from scratch, and endpoints whose entries for a few remote identities
    /// were recomputed: a measure of how incremental the update was.
    public var recompiledEndpoints = 0
    public var patchedEndpoints = 0

    public init() {}

    public var isEmpty: Bool {
        endpoints.isEmpty && identitiesAdded.isEmpty && identitiesRemoved.isEmpty && ipcache.isEmpty
    }
}

/// A security identity and what it stands for (labels, or a CIDR).
public struct IdentityEntry: Hashable, Sendable, CustomStringConvertible {
    public var identity: SecurityIdentity
    public var labels: Labels?
    public var cidr: IPPrefix?

    public init(identity: SecurityIdentity, labels: Labels? = nil, cidr: IPPrefix? = nil) {
        self.identity = identity
        self.labels = labels
        self.cidr = cidr
    }

    public var description: String {
        "\(identity) " + (cidr.map { "cidr:\($0)" } ?? labels?.description ?? "")
    }
}

/// The change of one endpoint's policy.
///
/// `added` and `removed` compare entries by key and action: an entry whose action flips is in
/// both (the old one in `removed`). A change of origins alone is in neither (the datapath does
/// not store origins) but shows in `policy`.
///
/// Applied one map operation at a time in this order, no intermediate state allows a packet
/// that neither the old nor the new policy allows (with the lookup rule of `EndpointPolicy`):
///
/// 1. upsert the `added` entries that deny;
/// 2. turn off enforcement that goes off;
/// 3. delete the `removed` allow entries whose key is not in `added`;
/// 4. upsert the `added` entries that allow;
/// 5. turn on enforcement that goes on;
/// 6. delete the `removed` deny entries whose key is not in `added`.
///
/// (From step 1 on every new deny is in place; before step 3 every allow entry is an old one,
/// after it every allow entry is a new one, so what passes passes one of the two policies.
/// Adding new allows before removing old ones could pair an old allow with a new one in the
/// two lookups and let through what both policies deny.) New connections that both policies
/// allow may be dropped between steps 3 and 4; established ones pass by conntrack. A test
/// checks this order against random policy changes.
/// An endpoint can also be swapped whole (`policy`) where the map layout allows it.
public struct EndpointPolicyChange: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// The endpoint is new here: `added` is its whole policy.
        case created
        case updated
        /// The endpoint is gone (deleted, no longer local, or without identity): `removed` is
        /// its whole former policy.
        case deleted
    }

    public var endpoint: NamespacedName
    public var kind: Kind
    /// The endpoint's policy after the change; nil when deleted.
    public var policy: EndpointPolicy?
    public var added: [PolicyEntry]
    public var removed: [PolicyEntry]
    /// Default deny or audit mode changed in that direction (the flags word must be rewritten).
    public var ingressEnforcementChanged: Bool
    public var egressEnforcementChanged: Bool

    public init(
        endpoint: NamespacedName, kind: Kind, policy: EndpointPolicy?, added: [PolicyEntry], removed: [PolicyEntry],
        ingressEnforcementChanged: Bool, egressEnforcementChanged: Bool
    ) {
        self.endpoint = endpoint
        self.kind = kind
        self.policy = policy
        self.added = added
        self.removed = removed
        self.ingressEnforcementChanged = ingressEnforcementChanged
        self.egressEnforcementChanged = egressEnforcementChanged
    }

    /// The change between two whole policies.
    public init(endpoint: NamespacedName, old: EndpointPolicy?, new: EndpointPolicy?) {
        let (added, removed) = Self.difference(old: old?.entries ?? [], new: new?.entries ?? [])
        self.init(
            endpoint: endpoint, kind: old == nil ? .created : new == nil ? .deleted : .updated, policy: new,
            added: added, removed: removed,
            ingressEnforcementChanged: old.map { ($0.ingressEnforced, $0.ingressAudit) } ?? (false, .off)
                != new.map { ($0.ingressEnforced, $0.ingressAudit) } ?? (false, .off),
            egressEnforcementChanged: old.map { ($0.egressEnforced, $0.egressAudit) } ?? (false, .off)
                != new.map { ($0.egressEnforced, $0.egressAudit) } ?? (false, .off))
    }

    /// Entries of `new` not in `old` and of `old` not in `new`, by key and action.
    static func difference(old: [PolicyEntry], new: [PolicyEntry]) -> (added: [PolicyEntry], removed: [PolicyEntry]) {
        let oldActions = Dictionary(old.map { ($0.key, $0.action) }, uniquingKeysWith: { first, _ in first })
        let newActions = Dictionary(new.map { ($0.key, $0.action) }, uniquingKeysWith: { first, _ in first })
        return (new.filter { oldActions[$0.key] != $0.action }, old.filter { newActions[$0.key] != $0.action })
    }

    /// Whether the datapath has anything to do.
    public var needsDatapathUpdate: Bool {
        kind != .updated || !added.isEmpty || !removed.isEmpty || ingressEnforcementChanged || egressEnforcementChanged
    }
}
