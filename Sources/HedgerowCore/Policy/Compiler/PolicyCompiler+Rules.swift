/// Rules in and out of the compiler: their selector sources, the subject index (identity to
/// the rules selecting it) and each rule's union of peer members.
extension PolicyCompiler {
    mutating func addRule(_ rule: CompiledRule, newSources: inout Set<Int>) -> Int {
        let id = nextRuleID
        nextRuleID += 1
        rules[id] = rule
        let subject = sources.retain(.selector(rule.subject), rule: id, asSubject: true)
        if subject.isNew { newSources.insert(subject.slot) }
        var peerSlots: [Int] = []
        for peer in Set(rule.peers ?? []) {
            let retained = sources.retain(peer, rule: id, asSubject: false)
            if retained.isNew { newSources.insert(retained.slot) }
            peerSlots.append(retained.slot)
        }
        ruleSlots[id] = RuleSlots(subject: subject.slot, peers: peerSlots)
        if rule.direction == .egress && rule.hasNamedPorts { namedPortEgressRules.insert(id) }
        return id
    }

    /// Removes a rule; returns the local endpoints it selected.
    mutating func removeRule(_ id: Int) -> Set<NamespacedName> {
        guard rules.removeValue(forKey: id) != nil, let slots = ruleSlots.removeValue(forKey: id) else { return [] }
        var selected: Set<NamespacedName> = []
        for identity in sources.members(slots.subject).identities {
            removeFromSubjectIndex(id, identity)
            selected.formUnion(localByIdentity[identity] ?? [])
        }
        sources.release(slots.subject, rule: id, asSubject: true)
        for slot in slots.peers { sources.release(slot, rule: id, asSubject: false) }
        namedPortEgressRules.remove(id)
        ruleMembers[id] = nil
        return selected
    }

    /// The identities a rule's subject selects.
    func subjectMembers(of id: Int) -> Set<SecurityIdentity> {
        ruleSlots[id].map { sources.members($0.subject).identities } ?? []
    }

    mutating func removeFromSubjectIndex(_ rule: Int, _ identity: SecurityIdentity) {
        subjectIndex[identity]?.remove(rule)
        if subjectIndex[identity]?.isEmpty == true { subjectIndex[identity] = nil }
    }

    func localEndpoints(selectedBy rule: Int) -> Set<NamespacedName> {
        subjectMembers(of: rule).reduce(into: []) { $0.formUnion(localByIdentity[$1] ?? []) }
    }

    /// Brings a rule's member union up to date for identities that moved in its sources.
    mutating func updateRuleMembers(_ id: Int, _ rule: CompiledRule, moved: Set<SecurityIdentity>) {
        guard rule.peers != nil, let peers = ruleSlots[id]?.peers, peers.count > 1, var members = ruleMembers[id],
            !members.isEverything, !peers.contains(where: { sources.members($0).isEverything })
        else {
            ruleMembers[id] = peerMembers(of: id, rule)
            return
        }
        ruleMembers[id] = nil  // keeps the set uniquely referenced
        for identity in moved {
            if peers.contains(where: { sources.members($0).identities.contains(identity) }) {
                members.identities.insert(identity)
            } else {
                members.identities.remove(identity)
            }
        }
        ruleMembers[id] = members
    }

    /// The union of a rule's peers (every identity when it names no peer list).
    func peerMembers(of id: Int, _ rule: CompiledRule) -> PeerMembers {
        guard rule.peers != nil, let peers = ruleSlots[id]?.peers else { return .everything }
        if peers.count == 1 { return sources.members(peers[0]) }
        var union = PeerMembers()
        for peer in peers {
            let members = sources.members(peer)
            if members.isEverything { return .everything }
            union.identities.formUnion(members.identities)
        }
        return union
    }
}
