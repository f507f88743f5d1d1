/// A container port name with its protocol: what a named port in a rule refers to.
struct NamedPort: Hashable, Sendable {
    var name: String
    var proto: TransportProtocol
}

/// Pods and their identities: which identity each pod has, which pods share one, indexes from
/// labels to identities (for fast selector matching), and the named ports of each identity's
/// pods (for egress rules with named ports).
struct IdentityTable: Sendable {
    var allocator: IdentityAllocator
    private(set) var identityOfPod: [NamespacedName: SecurityIdentity] = [:]
    private var labelsOfPod: [NamespacedName: Labels] = [:]
    private(set) var members: [SecurityIdentity: Set<NamespacedName>] = [:]
    /// Allocated pod identities with their labels (CIDR identities are not here).
    private(set) var labels: [SecurityIdentity: Labels] = [:]
    private(set) var byLabel: [Label: Set<SecurityIdentity>] = [:]
    private(set) var byKey: [String: Set<SecurityIdentity>] = [:]
    /// Port numbers each identity's pods give each port name.
    private(set) var namedPorts: [SecurityIdentity: [NamedPort: Set<UInt16>]] = [:]
    /// The union over all identities: what a rule whose peer is "every identity" resolves.
    private(set) var allNamedPorts: [NamedPort: Set<UInt16>] = [:]
    /// How many identities give each name each number (keeps `allNamedPorts` incremental).
    private var namedPortCounts: [NamedPort: [UInt16: Int]] = [:]

    /// What an update did to identities.
    struct Changes {
        var added: [SecurityIdentity] = []
        var removed: [(identity: SecurityIdentity, labels: Labels)] = []
        /// Added, removed, or with a different set of pods, or whose pods changed addresses or ports.
        var touched: Set<SecurityIdentity> = []
        var namedPortsChanged: Set<SecurityIdentity> = []
        /// Whether `allNamedPorts` changed.
        var allNamedPortsChanged = false
        /// Whether any pod address or pod identity changed (the ipcache must be rebuilt).
        var addressesChanged = false
    }

    init(allocator: IdentityAllocator) {
        self.allocator = allocator
    }

    /// Re-evaluates `keys` against `inputs` (their previous versions in `previous`).
    /// New identities are allocated before old ones are released, so a number freed in this
    /// update is not handed to another label set in the same update.
    mutating func update(pods keys: Set<NamespacedName>, inputs: PolicyInputs, previous: PolicyInputs) -> Changes {
        var changes = Changes()
        var releases: [(NamespacedName, Labels, SecurityIdentity)] = []
        for key in keys.sorted() {
            let pod = inputs.pods[key]
            let newLabels = pod.flatMap { inputs.identityLabels(of: $0) }
            let oldLabels = labelsOfPod[key]
            let oldPod = previous.pods[key]
            if oldLabels == newLabels {
                if let identity = identityOfPod[key], oldPod?.ips != pod?.ips || oldPod?.ports != pod?.ports {
                    changes.touched.insert(identity)
                    changes.addressesChanged = changes.addressesChanged || oldPod?.ips != pod?.ips
                }
                continue
            }
            changes.addressesChanged = true
            if let newLabels {
                let isNew = allocator.identity(for: newLabels) == nil
                let identity = allocator.allocate(newLabels)
                if isNew { addIdentity(identity, labels: newLabels, changes: &changes) }
                identityOfPod[key] = identity
                labelsOfPod[key] = newLabels
                members[identity, default: []].insert(key)
                changes.touched.insert(identity)
            } else {
                identityOfPod[key] = nil
                labelsOfPod[key] = nil
            }
            if let oldLabels, let oldIdentity = allocator.identity(for: oldLabels) {
                releases.append((key, oldLabels, oldIdentity))
            }
        }
        for (key, oldLabels, oldIdentity) in releases {
            members[oldIdentity]?.remove(key)
            changes.touched.insert(oldIdentity)
            if allocator.release(oldLabels) {
                removeIdentity(oldIdentity, labels: oldLabels)
                changes.removed.append((oldIdentity, oldLabels))
            }
        }
        for identity in changes.touched {
            let ports = namedPorts(of: identity, pods: inputs.pods)
            let old = namedPorts[identity] ?? [:]
            guard ports != old else { continue }
            namedPorts[identity] = ports.isEmpty ? nil : ports
            changes.namedPortsChanged.insert(identity)
            for (name, numbers) in old {
                for number in numbers {
                    changes.allNamedPortsChanged = count(name, number, by: -1) || changes.allNamedPortsChanged
                }
            }
            for (name, numbers) in ports {
                for number in numbers {
                    changes.allNamedPortsChanged = count(name, number, by: 1) || changes.allNamedPortsChanged
                }
            }
        }
        return changes
    }

    /// Pod addresses with their identities, pods in name order.
    func podAddresses(pods: [NamespacedName: Pod]) -> [(address: IPAddress, identity: SecurityIdentity)] {
        identityOfPod.keys.sorted().flatMap { key in
            (pods[key]?.ips ?? []).map { ($0, identityOfPod[key]!) }
        }
    }

    // MARK: Bookkeeping

    /// Counts one identity giving `name` the `number`; returns whether the union changed.
    private mutating func count(_ name: NamedPort, _ number: UInt16, by delta: Int) -> Bool {
        let count = (namedPortCounts[name]?[number] ?? 0) + delta
        namedPortCounts[name, default: [:]][number] = count > 0 ? count : nil
        if namedPortCounts[name]?.isEmpty == true { namedPortCounts[name] = nil }
        switch (delta > 0, count) {
        case (true, 1):
            allNamedPorts[name, default: []].insert(number)
            return true
        case (false, 0):
            allNamedPorts[name]?.remove(number)
            if allNamedPorts[name]?.isEmpty == true { allNamedPorts[name] = nil }
            return true
        default:
            return false
        }
    }

    private mutating func addIdentity(
        _ identity: SecurityIdentity, labels identityLabels: Labels, changes: inout Changes
    ) {
        labels[identity] = identityLabels
        for label in identityLabels {
            byLabel[label, default: []].insert(identity)
            byKey[label.key, default: []].insert(identity)
        }
        changes.added.append(identity)
    }

    private mutating func removeIdentity(_ identity: SecurityIdentity, labels identityLabels: Labels) {
        labels[identity] = nil
        members[identity] = nil
        for label in identityLabels {
            byLabel[label]?.remove(identity)
            if byLabel[label]?.isEmpty == true { byLabel[label] = nil }
            byKey[label.key]?.remove(identity)
            if byKey[label.key]?.isEmpty == true { byKey[label.key] = nil }
        }
    }

    private func namedPorts(of identity: SecurityIdentity, pods: [NamespacedName: Pod]) -> [NamedPort: Set<UInt16>] {
        var ports: [NamedPort: Set<UInt16>] = [:]
        for key in members[identity] ?? [] {
            for port in pods[key]?.ports ?? [] {
                if let name = port.name {
                    ports[NamedPort(name: name, proto: port.protocol), default: []].insert(port.port)
                }
            }
        }
        return ports
    }

    /// The identities a selector matches, using the label index to look at few candidates.
    func identities(matching selector: KubernetesLabelSelector) -> Set<SecurityIdentity> {
        var candidates: Set<SecurityIdentity>? = nil
        for requirement in selector.requirements {
            let narrowed: Set<SecurityIdentity>?
            switch requirement.operator {
            case .in:
                narrowed = requirement.values.reduce(into: Set<SecurityIdentity>()) {
                    $0.formUnion(byLabel[Label(key: requirement.key, value: $1)] ?? [])
                }
            case .exists:
                narrowed = byKey[requirement.key] ?? []
            case .notIn, .doesNotExist:
                narrowed = nil
            }
            if let narrowed, narrowed.count < (candidates?.count ?? Int.max) { candidates = narrowed }
        }
        let pool = candidates ?? Set(labels.keys)
        return pool.filter { labels[$0].map(selector.matches) ?? false }
    }
}
