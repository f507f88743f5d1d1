/// Reduces policy objects to compiled rules: Kubernetes' and Cilium's semantics live here.
enum RuleNormalization {
    static func rules(of policy: PolicyObject) -> [CompiledRule] {
        switch policy {
        case .kubernetes(let policy): rules(of: policy)
        case .cilium(let policy): rules(of: policy)
        }
    }

    /// The CIDRs whose identities a policy needs (each block's CIDR and exceptions).
    static func cidrs(of policy: PolicyObject) -> [IPPrefix] {
        rules(of: policy).flatMap { rule in
            (rule.peers ?? []).flatMap { peer -> [IPPrefix] in
                guard case .cidr(let block) = peer else { return [] }
                return [block.cidr] + block.except
            }
        }.filter { $0.length > 0 }
    }

    // MARK: Kubernetes

    static func rules(of policy: NetworkPolicy) -> [CompiledRule] {
        let reference = policy.reference
        let subject = policy.podSelector.adding([IdentityLabels.inNamespace(policy.namespace)])
        var rules: [CompiledRule] = []
        for direction in TrafficDirection.allCases where policy.policyTypes.contains(direction) {
            rules.append(
                CompiledRule(
                    policy: reference, origin: "\(reference.kind) \(policy.namespace)/\(policy.name)", subject: subject,
                    direction: direction, effect: .isolate, peers: [], ports: nil))
            let sections = direction == .ingress ? policy.ingress : policy.egress
            for (index, rule) in sections.enumerated() {
                rules.append(
                    CompiledRule(
                        policy: reference,
                        origin: "\(reference.kind) \(policy.namespace)/\(policy.name) \(direction)[\(index)]",
                        subject: subject, direction: direction, effect: .allow,
                        peers: rule.peers.isEmpty
                            ? nil : rule.peers.map { peer(peer: $0, namespace: policy.namespace) },
                        ports: rule.ports.isEmpty ? nil : rule.ports.map(port)))
            }
        }
        return rules
    }

    private static func peer(peer: NetworkPolicyPeer, namespace: String) -> RulePeer {
        switch peer {
        case .ipBlock(let block):
            return .cidr(block)
        case .pods(let podSelector, let namespaceSelector):
            var selector = podSelector ?? KubernetesLabelSelector()
            if let namespaceSelector {
                selector = selector.adding(IdentityLabels.namespaceRequirements(namespaceSelector))
            } else {
                selector = selector.adding([IdentityLabels.inNamespace(namespace)])
            }
            return .selector(selector)
        }
    }

    private static func port(_ port: NetworkPolicyPort) -> RulePort {
        switch port.port {
        case nil: .numbers(port.protocol, 0...UInt16.max)
        case .numbers(let range)?: .numbers(port.protocol, range)
        case .named(let name)?: .named(port.protocol, name)
        }
    }

    // MARK: Cilium

    static func rules(of policy: CiliumNetworkPolicy) -> [CompiledRule] {
        let reference = policy.reference
        let name = reference.description
        var rules: [CompiledRule] = []
        for rule in policy.rules {
            var subject = rule.endpointSelector
            if let namespace = policy.namespace {
                subject = subject.adding([IdentityLabels.inNamespace(namespace)])
            }
            let prefix = policy.rules.count == 1 && rule.location == "spec" ? "" : rule.location + "."
            for direction in TrafficDirection.allCases where rule.enablesDefaultDeny(direction) {
                rules.append(
                    CompiledRule(
                        policy: reference, origin: name, subject: subject, direction: direction, effect: .isolate,
                        peers: [], ports: nil))
            }
            let sections: [(String, TrafficDirection, CompiledRule.Effect, [CiliumPeerRule])] = [
                ("ingress", .ingress, .allow, rule.ingress), ("ingressDeny", .ingress, .deny, rule.ingressDeny),
                ("egress", .egress, .allow, rule.egress), ("egressDeny", .egress, .deny, rule.egressDeny),
            ]
            for (section, direction, effect, items) in sections {
                for (index, item) in items.enumerated() {
                    // An item with no peers means every peer when it has ports, and nothing without.
                    let peers: [RulePeer]? =
                        item.hasNoPeers
                        ? (item.ports.isEmpty ? [] : nil)
                        : item.endpoints.map { .selector(scoped($0, namespace: policy.namespace)) }
                            + item.cidrs.map(RulePeer.cidr) + item.entities.map(RulePeer.entity)
                    rules.append(
                        CompiledRule(
                            policy: reference, origin: "\(name) \(prefix)\(section)[\(index)]", subject: subject,
                            direction: direction, effect: effect, peers: peers,
                            ports: item.ports.isEmpty ? nil : item.ports.flatMap(ports)))
                }
            }
        }
        return rules
    }

    /// A namespaced policy's peer selector that does not name a namespace means its own.
    private static func scoped(_ selector: KubernetesLabelSelector, namespace: String?) -> KubernetesLabelSelector {
        guard let namespace, !selector.constrains(key: IdentityLabels.namespaceKey) else { return selector }
        return selector.adding([IdentityLabels.inNamespace(namespace)])
    }

    private static func ports(_ port: CiliumPort) -> [RulePort] {
        switch port.port {
        case nil where port.protocol == .any: [.everything]
        case nil: port.protocol.transports.map { .numbers($0, 0...UInt16.max) }
        case .numbers(let range)?: port.protocol.transports.map { .numbers($0, range) }
        case .named(let name)?: port.protocol.transports.map { .named($0, name) }
        }
    }
}
