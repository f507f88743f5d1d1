/// One endpoint's compilation: the rules selecting its identity, expanded into entries.
struct CompiledEndpoint {
    var policy: EndpointPolicy
    /// Policies that put the endpoint in default deny, per direction.
    var isolatedBy: [TrafficDirection: [ObjectReference]]
    /// The same for the audit view, in audited directions (audit-mode policies included).
    var auditIsolatedBy: [TrafficDirection: [ObjectReference]] = [:]
}

/// The entries of one endpoint that share a direction and a remote identity: a contiguous run
/// of the sorted entries, and the unit in which "deny beats allow" is resolved, so it can be
/// recomputed alone when only that remote's membership in some rule changed.
struct EntryGroup: Hashable, Sendable {
    var direction: TrafficDirection
    var remote: SecurityIdentity
    var view: PolicyView = .enforced
}

/// Entries that appeared and went away (by key and action).
typealias EntryChanges = (added: [PolicyEntry], removed: [PolicyEntry])

extension PolicyCompiler {
    /// The policy of any pod with an identity (local or not: traces use remote pods too).
    public func computePolicy(for pod: NamespacedName) -> EndpointPolicy? {
        compile(pod)?.policy
    }

    /// The policies that put a pod in default deny in a view, per direction, sorted. For the
    /// audit view, what an AUDIT flow that no rule would have dropped names instead of a rule.
    public func isolatingPolicies(of pod: NamespacedName, view: PolicyView = .enforced)
        -> [TrafficDirection: [ObjectReference]]
    {
        guard let compiled = compile(pod) else { return [:] }
        return view == .enforced ? compiled.isolatedBy : compiled.auditIsolatedBy
    }

    /// Compiles one endpoint from scratch: the enforced view from enforce-mode rules, and for
    /// directions an audit-mode rule touches, the audit view from every rule.
    func compile(_ key: NamespacedName) -> CompiledEndpoint? {
        guard inputs.pods[key] != nil, let identity = identities.identityOfPod[key] else { return nil }
        let ruleIDs = (subjectIndex[identity] ?? []).sorted()
        let enforcing = ruleIDs.filter { rules[$0].map { !isAudit($0) } ?? false }
        let isolatedBy = isolation(enforcing)
        var builder = EntryBuilder()
        addEntries(of: enforcing, pod: key, isolatedBy: isolatedBy, view: .enforced, into: &builder)

        let audited = Set(ruleIDs.compactMap { id in rules[id].flatMap { isAudit($0) ? $0.direction : nil } })
        var auditModes: [TrafficDirection: EndpointPolicy.AuditMode] = [:]
        var auditIsolatedBy: [TrafficDirection: [ObjectReference]] = [:]
        if !audited.isEmpty {
            let everything = ruleIDs.filter { rules[$0].map { audited.contains($0.direction) } ?? false }
            let wouldIsolate = isolation(everything)
            addEntries(of: everything, pod: key, isolatedBy: wouldIsolate, view: .audit, into: &builder)
            for direction in audited { auditModes[direction] = wouldIsolate[direction] != nil ? .defaultDeny : .rulesOnly }
            auditIsolatedBy = wouldIsolate.mapValues { $0.sorted() }
        }
        let policy = EndpointPolicy(
            ingressEnforced: isolatedBy[.ingress] != nil, egressEnforced: isolatedBy[.egress] != nil,
            entries: builder.build(), ingressAudit: auditModes[.ingress] ?? .off, egressAudit: auditModes[.egress] ?? .off)
        return CompiledEndpoint(
            policy: policy, isolatedBy: isolatedBy.mapValues { $0.sorted() }, auditIsolatedBy: auditIsolatedBy)
    }

    private func addEntries(
        of ruleIDs: [Int], pod key: NamespacedName, isolatedBy: [TrafficDirection: Set<ObjectReference>],
        view: PolicyView, into builder: inout EntryBuilder
    ) {
        for id in ruleIDs {
            guard let rule = rules[id], contributes(rule, isolatedBy: isolatedBy) else { continue }
            let members = ruleMembers[id] ?? PeerMembers()
            let remotes: [SecurityIdentity] = members.isEverything ? [.any] : Array(members.identities)
            for remote in remotes {
                builder.add(
                    direction: rule.direction, remote: remote, view: view,
                    keys: keys(of: rule, pod: key, remote: remote),
                    action: rule.effect == .deny ? .deny : .allow, origin: rule.origin)
            }
        }
        if isolatedBy[.ingress] != nil && options.allowIngressFromHost {
            builder.add(
                PolicyEntry.Key(direction: .ingress, remote: .host, proto: 0, view: view), .allow,
                origin: Self.hostIngressOrigin)
        }
    }

    /// Recomputes some groups of a local endpoint in place, in each view the group's direction
    /// has; returns the entries that changed.
    mutating func patch(_ key: NamespacedName, groups: Set<EntryGroup>) -> EntryChanges {
        guard var policy = endpointPolicies[key], let identity = identities.identityOfPod[key] else { return ([], []) }
        endpointPolicies[key] = nil  // keeps the entries array uniquely referenced while patching
        var added: [PolicyEntry] = []
        var removed: [PolicyEntry] = []
        for view in [PolicyView.enforced, .audit] {
            let viewGroups = groups.filter { view == .enforced || policy.audit($0.direction) != .off }
            guard !viewGroups.isEmpty else { continue }
            var contributing: [(id: Int, rule: CompiledRule)] = []
            for id in subjectIndex[identity] ?? [] {
                guard let rule = rules[id], rule.effect != .isolate else { continue }
                if view == .enforced && isAudit(rule) { continue }
                if rule.effect == .allow && !policy.isEnforced(rule.direction, view: view) { continue }
                contributing.append((id, rule))
            }
            for group in viewGroups {
                let changes = patchGroup(
                    EntryGroup(direction: group.direction, remote: group.remote, view: view), of: key,
                    contributing: contributing, policy: &policy)
                added += changes.added
                removed += changes.removed
            }
        }
        endpointPolicies[key] = policy
        return (added.sorted(), removed.sorted())
    }

    private func patchGroup(
        _ group: EntryGroup, of key: NamespacedName, contributing: [(id: Int, rule: CompiledRule)],
        policy: inout EndpointPolicy
    ) -> EntryChanges {
        var items: [(key: PolicyEntry.Key, action: PolicyEntry.Action, origin: String)] = []
        for (id, rule) in contributing where rule.direction == group.direction && ruleIncludes(id, group.remote) {
            let action: PolicyEntry.Action = rule.effect == .deny ? .deny : .allow
            for (proto, prefix) in keys(of: rule, pod: key, remote: group.remote) {
                let key = PolicyEntry.Key(
                    direction: group.direction, remote: group.remote, proto: proto, port: prefix.port,
                    portPrefixLength: prefix.length, view: group.view)
                items.append((key, action, rule.origin))
            }
        }
        if group.direction == .ingress && group.remote == .host && policy.isEnforced(.ingress, view: group.view)
            && options.allowIngressFromHost
        {
            items.append(
                (PolicyEntry.Key(direction: .ingress, remote: .host, proto: 0, view: group.view), .allow,
                 Self.hostIngressOrigin))
        }
        let fresh = EntryBuilder.resolveGroup(items)
        let range = policy.entries.range(of: group)
        guard !fresh.elementsEqual(policy.entries[range]) else { return ([], []) }
        let added = fresh.filter { entry in
            !policy.entries[range].contains(where: { $0.key == entry.key && $0.action == entry.action })
        }
        let removed = policy.entries[range].filter { entry in
            !fresh.contains(where: { $0.key == entry.key && $0.action == entry.action })
        }
        policy.entries.replaceSubrange(range, with: fresh)
        return (added, removed)
    }

    /// Whether a rule's policy is only audited (its own mode, or the agent's audit-everything option).
    func isAudit(_ rule: CompiledRule) -> Bool {
        options.auditEverything || auditPolicies.contains(rule.policy)
    }

    // MARK: Pieces shared by both

    private func isolation(_ ruleIDs: [Int]) -> [TrafficDirection: Set<ObjectReference>] {
        var isolatedBy: [TrafficDirection: Set<ObjectReference>] = [:]
        for id in ruleIDs {
            guard let rule = rules[id], rule.effect == .isolate else { continue }
            isolatedBy[rule.direction, default: []].insert(rule.policy)
        }
        return isolatedBy
    }

    /// Deny rules always count; allow rules only where the direction is isolated.
    private func contributes(_ rule: CompiledRule, isolatedBy: [TrafficDirection: Set<ObjectReference>]) -> Bool {
        switch rule.effect {
        case .isolate: false
        case .deny: true
        case .allow: isolatedBy[rule.direction] != nil
        }
    }

    /// Whether a rule produces entries for `remote` (`.any` stands for "every identity").
    private func ruleIncludes(_ id: Int, _ remote: SecurityIdentity) -> Bool {
        guard let members = ruleMembers[id] else { return false }
        return remote == .any ? members.isEverything : !members.isEverything && members.identities.contains(remote)
    }

    /// The (protocol, port prefix) keys of a rule for one remote identity. Named ports resolve
    /// against the destination: this pod for ingress, the remote's pods for egress (so the
    /// numbers may differ per remote identity; "every identity" takes every pod's numbers).
    private func keys(
        of rule: CompiledRule, pod: NamespacedName, remote: SecurityIdentity
    ) -> [(proto: UInt8, prefix: PortPrefix)] {
        guard !rule.namedPorts.isEmpty else { return rule.numericKeys }
        var keys = rule.numericKeys
        for named in rule.namedPorts {
            if rule.direction == .ingress {
                if let number = inputs.pods[pod]?.port(named: named.name, protocol: named.proto)?.port {
                    keys.append((named.proto.number, PortPrefix(port: number, length: 16)))
                }
                continue
            }
            let numbers = remote == .any ? identities.allNamedPorts[named] : identities.namedPorts[remote]?[named]
            keys += (numbers ?? []).sorted().map { (named.proto.number, PortPrefix(port: $0, length: 16)) }
        }
        return keys
    }
}

extension Array where Element == PolicyEntry {
    /// The run of sorted entries of one group (empty range at its place when there are none).
    func range(of group: EntryGroup) -> Range<Int> {
        let lower = PolicyEntry.Key(direction: group.direction, remote: group.remote, proto: 0, view: group.view)
        let start = partitioningIndex { $0.key >= lower }
        var end = start
        while end < count && self[end].key.view == group.view && self[end].key.direction == group.direction
            && self[end].key.remote == group.remote
        {
            end += 1
        }
        return start..<end
    }

    private func partitioningIndex(where belongsInSecondPartition: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongsInSecondPartition(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
