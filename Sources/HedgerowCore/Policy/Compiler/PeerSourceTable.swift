/// The identities a rule peer (or subject) stands for.
struct PeerMembers: Hashable, Sendable {
    /// Every identity, known or not (a wildcard entry).
    var isEverything = false
    var identities: Set<SecurityIdentity> = []

    static let everything = PeerMembers(isEverything: true)
}

/// Everything a peer's members depend on.
struct PeerContext {
    let identities: IdentityTable
    let pods: [NamespacedName: Pod]
    let cidrIdentities: [SecurityIdentity: IPPrefix]
}

/// The selector cache: each distinct peer or subject of the rules, with its current members and
/// the rules that use it. Rules repeat selectors, so each is matched once, and when identities
/// change only the cached members are updated, which tells which rules (and endpoints) moved.
struct PeerSourceTable: Sendable {
    struct Entry: Sendable {
        let peer: RulePeer
        var members = PeerMembers()
        /// Rules that use it as a peer / as their subject.
        var peerOf: Set<Int> = []
        var subjectOf: Set<Int> = []
    }

    /// Entries live in numbered slots: rules refer to their sources by slot, so the hot paths
    /// never hash a selector.
    private(set) var slots: [Entry?] = []
    private var slotOf: [RulePeer: Int] = [:]
    private var freeSlots: [Int] = []

    func members(_ slot: Int) -> PeerMembers { slots[slot]?.members ?? PeerMembers() }

    func entry(_ slot: Int) -> Entry? { slots[slot] }

    /// Registers a use; returns the slot and whether the source is new (members to compute).
    mutating func retain(_ peer: RulePeer, rule: Int, asSubject: Bool) -> (slot: Int, isNew: Bool) {
        let slot: Int
        let isNew: Bool
        if let existing = slotOf[peer] {
            slot = existing
            isNew = false
        } else {
            slot = freeSlots.popLast() ?? slots.count
            if slot == slots.count { slots.append(nil) }
            slots[slot] = Entry(peer: peer)
            slotOf[peer] = slot
            isNew = true
        }
        if asSubject { slots[slot]!.subjectOf.insert(rule) } else { slots[slot]!.peerOf.insert(rule) }
        return (slot, isNew)
    }

    mutating func release(_ slot: Int, rule: Int, asSubject: Bool) {
        guard var entry = slots[slot] else { return }
        if asSubject { entry.subjectOf.remove(rule) } else { entry.peerOf.remove(rule) }
        if entry.peerOf.isEmpty && entry.subjectOf.isEmpty {
            slots[slot] = nil
            slotOf[entry.peer] = nil
            freeSlots.append(slot)
        } else {
            slots[slot] = entry
        }
    }

    /// Sets members, returning the identities that joined and left.
    mutating func setMembers(_ members: PeerMembers, _ slot: Int) -> (
        joined: Set<SecurityIdentity>, left: Set<SecurityIdentity>
    ) {
        guard let old = slots[slot]?.members else { return ([], []) }
        slots[slot]!.members = members
        return (members.identities.subtracting(old.identities), old.identities.subtracting(members.identities))
    }

    /// Re-decides membership for a few identities in place; returns those that joined and left.
    mutating func update(
        _ slot: Int, for candidates: Set<SecurityIdentity>, isMember: (RulePeer, SecurityIdentity) -> Bool
    ) -> (joined: Set<SecurityIdentity>, left: Set<SecurityIdentity>) {
        guard let peer = slots[slot]?.peer else { return ([], []) }
        var joined: Set<SecurityIdentity> = []
        var left: Set<SecurityIdentity> = []
        for identity in candidates {
            let now = isMember(peer, identity)
            guard now != slots[slot]!.members.identities.contains(identity) else { continue }
            if now {
                slots[slot]!.members.identities.insert(identity)
                joined.insert(identity)
            } else {
                slots[slot]!.members.identities.remove(identity)
                left.insert(identity)
            }
        }
        return (joined, left)
    }

    // MARK: Membership rules

    /// The members of a peer, computed from scratch.
    static func members(of peer: RulePeer, in context: PeerContext) -> PeerMembers {
        switch peer {
        case .selector(let selector):
            return PeerMembers(identities: context.identities.identities(matching: selector))
        case .entity(.all):
            return .everything
        case .entity(let entity):
            var identities = Set(entity.reservedIdentities)
            if entity.includesPods { identities.formUnion(context.identities.labels.keys) }
            if entity.includesCIDRs { identities.formUnion(context.cidrIdentities.keys) }
            return PeerMembers(identities: identities)
        case .cidr(let block):
            var identities: Set<SecurityIdentity> = block.cidr.length == 0 ? [.world] : []
            for (identity, prefix) in context.cidrIdentities
            where block.cidr.contains(prefix) && !block.except.contains(where: { $0.contains(prefix) }) {
                identities.insert(identity)
            }
            for (identity, members) in context.identities.members
            where members.contains(where: { podIsInside($0, block, context) }) {
                identities.insert(identity)
            }
            return PeerMembers(identities: identities)
        }
    }

    /// Whether one pod identity belongs to a peer (for incremental updates).
    static func includes(_ identity: SecurityIdentity, in peer: RulePeer, context: PeerContext) -> Bool {
        guard let labels = context.identities.labels[identity] else { return false }
        switch peer {
        case .selector(let selector): return selector.matches(labels)
        case .entity(let entity): return entity.includesPods
        case .cidr(let block):
            return (context.identities.members[identity] ?? []).contains { podIsInside($0, block, context) }
        }
    }

    /// Whether a peer's members depend on the set of CIDR identities.
    static func dependsOnCIDRIdentities(_ peer: RulePeer) -> Bool {
        switch peer {
        case .cidr: true
        case .entity(let entity): entity.includesCIDRs
        case .selector: false
        }
    }

    private static func podIsInside(_ key: NamespacedName, _ block: CIDRBlock, _ context: PeerContext) -> Bool {
        (context.pods[key]?.ips ?? []).contains { block.contains($0) }
    }
}
