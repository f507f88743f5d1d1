/// The incremental update: from the changed inputs to the endpoints to recompile or patch.
extension PolicyCompiler {
    /// What an update must redo: endpoints to compile from scratch, and for others the entry
    /// groups (direction, remote identity) to recompute.
    struct Work {
        var recompile: Set<NamespacedName> = []
        var patches: [NamespacedName: Set<EntryGroup>] = [:]

        mutating func patch(_ endpoints: Set<NamespacedName>, _ groups: [EntryGroup]) {
            guard !groups.isEmpty else { return }
            for endpoint in endpoints { patches[endpoint, default: []].formUnion(groups) }
        }
    }

    mutating func apply(_ changes: PolicyInputChanges, newInputs: PolicyInputs) -> PolicyUpdate {
        let previous = inputs
        inputs = newInputs
        guard !changes.isEmpty else { return PolicyUpdate() }
        var work = Work()
        let cidrsBefore = identities.allocator.cidrIdentities
        let (addedRules, newSources) = applyPolicyChanges(changes.policies, work: &work)
        let reevaluated = podsToReevaluate(changes, previous: previous)
        let identityChanges = applyPodChanges(
            reevaluated, localChanges: changes.localEndpoints, previous: previous, work: &work)
        let cidrsChanged = identities.allocator.cidrIdentities != cidrsBefore
        updateSelectorMembers(
            identityChanges: identityChanges, newSources: newSources, addedRules: addedRules, cidrsChanged: cidrsChanged,
            work: &work)

        var update = compileAffected(work)
        reportIdentities(identityChanges, cidrsBefore: cidrsBefore, into: &update)
        if cidrsChanged || identityChanges.addressesChanged {
            let old = ipcache
            updateAddresses(
                of: identityChanges.addressesChanged ? reevaluated : [], previous: previous, rebuild: cidrsChanged)
            update.ipcache = ipcache.diff(from: old)
        }
        return update
    }

    // MARK: Steps

    /// New rules in, old rules out (in that order, so that shared selectors and CIDR identities
    /// survive an update of the policy that uses them). Returns the added rules and the selector
    /// sources they created.
    private mutating func applyPolicyChanges(_ references: Set<ObjectReference>, work: inout Work) -> ([Int], Set<Int>) {
        var addedRules: [Int] = []
        var newSources: Set<Int> = []
        for reference in references.sorted() {
            let oldRules = rulesOfPolicy.removeValue(forKey: reference) ?? []
            let oldCIDRs = cidrsOfPolicy.removeValue(forKey: reference) ?? []
            auditPolicies.remove(reference)
            if let policy = inputs.policies[reference] {
                if policy.mode == .audit { auditPolicies.insert(reference) }
                let cidrs = RuleNormalization.cidrs(of: policy)
                for cidr in cidrs { identities.allocator.allocate(cidr: cidr) }
                cidrsOfPolicy[reference] = cidrs
                rulesOfPolicy[reference] = RuleNormalization.rules(of: policy).map { rule in
                    let id = addRule(rule, newSources: &newSources)
                    addedRules.append(id)
                    return id
                }
            }
            for id in oldRules { work.recompile.formUnion(removeRule(id)) }
            for cidr in oldCIDRs { identities.allocator.release(cidr: cidr) }
        }
        return (addedRules, newSources)
    }

    /// Changed pods, and every pod of a namespace whose labels changed.
    private func podsToReevaluate(_ changes: PolicyInputChanges, previous: PolicyInputs) -> Set<NamespacedName> {
        var keys = changes.pods
        guard !changes.namespaces.isEmpty else { return keys }
        for (key, pod) in inputs.pods where changes.namespaces.contains(pod.namespace) { keys.insert(key) }
        for (key, pod) in previous.pods where changes.namespaces.contains(pod.namespace) { keys.insert(key) }
        return keys
    }

    /// Pod identities, and which local endpoints exist; every local endpoint whose pod changed is
    /// recompiled.
    private mutating func applyPodChanges(
        _ pods: Set<NamespacedName>, localChanges: Set<NamespacedName>, previous: PolicyInputs, work: inout Work
    ) -> IdentityTable.Changes {
        let endpointKeys = pods.union(localChanges)
        let identityBefore = Dictionary(uniqueKeysWithValues: endpointKeys.map { ($0, identities.identityOfPod[$0]) })
        let changes = identities.update(pods: pods, inputs: inputs, previous: previous)
        for key in endpointKeys {
            if let old = identityBefore[key] ?? nil { localByIdentity[old]?.remove(key) }
            let isLocal = inputs.localEndpoints.contains(key)
            if isLocal, let identity = identities.identityOfPod[key] { localByIdentity[identity, default: []].insert(key) }
            if isLocal || previous.localEndpoints.contains(key) { work.recompile.insert(key) }
        }
        return changes
    }

    /// Brings every selector source's members up to date and records what moved: an endpoint
    /// that a subject starts or stops matching is recompiled; a peer that gains or loses
    /// identities makes the endpoints its rules select recompute their entries for those
    /// identities only. Egress rules with named ports follow their peers' pods' ports.
    private mutating func updateSelectorMembers(
        identityChanges: IdentityTable.Changes, newSources: Set<Int>, addedRules: [Int], cidrsChanged: Bool,
        work: inout Work
    ) {
        let context = PeerContext(
            identities: identities, pods: inputs.pods, cidrIdentities: identities.allocator.cidrIdentities)
        let touched = identityChanges.touched
        // Past a few identities, matching each selector against all of them through the label
        // index is cheaper than asking each selector about each identity.
        let recomputeAll = touched.count > 64 || touched.count * 4 > identities.labels.count
        let isMember = { (peer: RulePeer, identity: SecurityIdentity) in
            PeerSourceTable.includes(identity, in: peer, context: context)
        }
        var movedRules: [Int: Set<SecurityIdentity>] = [:]
        for slot in sources.slots.indices {
            guard let entry = sources.entry(slot) else { continue }
            let isNew = newSources.contains(slot)
            let moved: (joined: Set<SecurityIdentity>, left: Set<SecurityIdentity>)
            if isNew || recomputeAll || (cidrsChanged && PeerSourceTable.dependsOnCIDRIdentities(entry.peer)) {
                moved = sources.setMembers(PeerSourceTable.members(of: entry.peer, in: context), slot)
            } else if touched.isEmpty || entry.members.isEverything {
                continue
            } else {
                moved = sources.update(slot, for: touched, isMember: isMember)
            }
            let identities = moved.joined.union(moved.left)
            if identities.isEmpty && !isNew { continue }
            for rule in entry.subjectOf {
                for identity in moved.joined { subjectIndex[identity, default: []].insert(rule) }
                for identity in moved.left { removeFromSubjectIndex(rule, identity) }
            }
            if !entry.subjectOf.isEmpty {
                for identity in identities { work.recompile.formUnion(localByIdentity[identity] ?? []) }
            }
            for rule in entry.peerOf { movedRules[rule, default: []].formUnion(identities) }
        }
        for id in addedRules {
            guard let rule = rules[id] else { continue }
            ruleMembers[id] = peerMembers(of: id, rule)
            for identity in subjectMembers(of: id) { subjectIndex[identity, default: []].insert(id) }
            work.recompile.formUnion(localEndpoints(selectedBy: id))
        }
        let added = Set(addedRules)
        for (id, moved) in movedRules where !added.contains(id) {
            guard let rule = rules[id] else { continue }
            updateRuleMembers(id, rule, moved: moved)
            if ruleMembers[id]?.isEverything == true { continue }
            work.patch(localEndpoints(selectedBy: id), moved.map { EntryGroup(direction: rule.direction, remote: $0) })
        }
        guard !identityChanges.namedPortsChanged.isEmpty else { return }
        for id in namedPortEgressRules {
            guard let members = ruleMembers[id] else { continue }
            let remotes: Set<SecurityIdentity> =
                members.isEverything
                ? (identityChanges.allNamedPortsChanged ? [.any] : [])
                : members.identities.intersection(identityChanges.namedPortsChanged)
            work.patch(localEndpoints(selectedBy: id), remotes.map { EntryGroup(direction: .egress, remote: $0) })
        }
    }

    /// Compiles what needs it, patches the rest; returns the endpoint changes.
    private mutating func compileAffected(_ work: Work) -> PolicyUpdate {
        var update = PolicyUpdate()
        for key in work.recompile.sorted() {
            let new = inputs.localEndpoints.contains(key) ? compile(key)?.policy : nil
            let old = endpointPolicies[key]
            endpointPolicies[key] = new
            if old != new { update.endpoints.append(EndpointPolicyChange(endpoint: key, old: old, new: new)) }
        }
        for (key, groups) in work.patches where !work.recompile.contains(key) {
            update.patchedEndpoints += 1
            let (added, removed) = patch(key, groups: groups)
            guard !added.isEmpty || !removed.isEmpty, let policy = endpointPolicies[key] else { continue }
            update.endpoints.append(
                EndpointPolicyChange(
                    endpoint: key, kind: .updated, policy: policy, added: added, removed: removed,
                    ingressEnforcementChanged: false, egressEnforcementChanged: false))
        }
        update.endpoints.sort { $0.endpoint < $1.endpoint }
        update.recompiledEndpoints = work.recompile.count
        return update
    }

    private func reportIdentities(
        _ changes: IdentityTable.Changes, cidrsBefore: [SecurityIdentity: IPPrefix], into update: inout PolicyUpdate
    ) {
        update.identitiesAdded = changes.added.map { IdentityEntry(identity: $0, labels: identities.labels[$0]) }
        update.identitiesRemoved = changes.removed.map { IdentityEntry(identity: $0.identity, labels: $0.labels) }
        let cidrsAfter = identities.allocator.cidrIdentities
        for (identity, prefix) in cidrsAfter where cidrsBefore[identity] != prefix {
            update.identitiesAdded.append(IdentityEntry(identity: identity, cidr: prefix))
        }
        for (identity, prefix) in cidrsBefore where cidrsAfter[identity] != prefix {
            update.identitiesRemoved.append(IdentityEntry(identity: identity, cidr: prefix))
        }
        update.identitiesAdded.sort { $0.identity < $1.identity }
        update.identitiesRemoved.sort { $0.identity < $1.identity }
    }
}
