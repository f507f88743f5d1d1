/// `networking.k8s.io/v1 NetworkPolicy`: strict (unknown fields are errors), validated as the
/// API server's `ValidateNetworkPolicy`, and defaulted (`policyTypes`, port protocol TCP).
enum NetworkPolicyDecoding {
    static func decode(_ object: FieldMap, reader: inout FieldReader) -> NetworkPolicy? {
        let issueCount = reader.issues.count
        reader.rejectUnknownFields(object, known: PolicyMetadataDecoding.topLevelFields)
        let metadata = PolicyMetadataDecoding.decode(object, kind: .networkPolicy, reader: &reader)

        // An absent spec is an empty one, as the API server decodes it: every pod of the
        // namespace, isolated for ingress.
        var podSelector = KubernetesLabelSelector()
        var declaredTypes: [TrafficDirection]? = nil
        var ingress: [NetworkPolicyRule] = []
        var egress: [NetworkPolicyRule] = []
        if let spec = reader.map(object["spec"]) {
            reader.rejectUnknownFields(spec, known: ["podSelector", "policyTypes", "ingress", "egress"])
            podSelector =
                LabelSelectorDecoding.decode(spec["podSelector"], flavor: .kubernetes, reader: &reader)
                ?? KubernetesLabelSelector()
            declaredTypes = decodePolicyTypes(spec["policyTypes"], reader: &reader)
            ingress = reader.mapItems(spec["ingress"]).map { decodeRule($0, peersKey: "from", reader: &reader) }
            egress = reader.mapItems(spec["egress"]).map { decodeRule($0, peersKey: "to", reader: &reader) }
        }
        guard let metadata, let namespace = metadata.namespace, reader.issues.count == issueCount else { return nil }
        let policyTypes = declaredTypes.flatMap { $0.isEmpty ? nil : Set($0) }
        return NetworkPolicy(
            namespace: namespace, name: metadata.name, podSelector: podSelector, policyTypes: policyTypes,
            ingress: ingress, egress: egress, mode: metadata.mode)
    }

    /// At most two of "Ingress" and "Egress" (repeating one is allowed, as upstream allows it).
    private static func decodePolicyTypes(_ field: Field, reader: inout FieldReader) -> [TrafficDirection]? {
        guard let items = reader.list(field) else { return nil }
        if items.count > 2 {
            reader.report(field.path, "may not specify more than two policyTypes")
            return nil
        }
        var types: [TrafficDirection] = []
        for item in items {
            guard let text = reader.string(item) else {
                if item.value == .null { reader.report(item.path, "expected a string, got null") }
                continue
            }
            switch text {
            case "Ingress": types.append(.ingress)
            case "Egress": types.append(.egress)
            default:
                reader.report(item.path, "unsupported value \"\(text)\": supported values are \"Ingress\", \"Egress\"")
            }
        }
        return types
    }

    private static func decodeRule(_ rule: FieldMap, peersKey: String, reader: inout FieldReader) -> NetworkPolicyRule {
        reader.rejectUnknownFields(rule, known: [peersKey, "ports"])
        let peers = reader.mapItems(rule[peersKey]).compactMap { decodePeer($0, reader: &reader) }
        let ports = reader.mapItems(rule["ports"]).compactMap { decodePort($0, reader: &reader) }
        return NetworkPolicyRule(peers: peers, ports: ports)
    }

    private static func decodePeer(_ peer: FieldMap, reader: inout FieldReader) -> NetworkPolicyPeer? {
        reader.rejectUnknownFields(peer, known: ["podSelector", "namespaceSelector", "ipBlock"])
        let present = ["podSelector", "namespaceSelector", "ipBlock"].filter {
            peer.entries[$0] != nil && peer.entries[$0] != .null
        }
        let podSelector = LabelSelectorDecoding.decode(peer["podSelector"], flavor: .kubernetes, reader: &reader)
        let namespaceSelector = LabelSelectorDecoding.decode(
            peer["namespaceSelector"], flavor: .kubernetes, reader: &reader)
        var block: CIDRBlock? = nil
        if let ipBlock = reader.map(peer["ipBlock"]) {
            reader.rejectUnknownFields(ipBlock, known: ["cidr", "except"])
            block = PolicyFieldDecoding.block(cidr: ipBlock["cidr"], except: ipBlock["except"], reader: &reader)
        }
        if present.isEmpty {
            reader.report(peer.path, "must specify a peer (podSelector, namespaceSelector or ipBlock)")
            return nil
        }
        if present.contains("ipBlock") && present.count > 1 {
            reader.report(peer.path, "may not specify both ipBlock and another peer")
            return nil
        }
        if let block { return .ipBlock(block) }
        guard podSelector != nil || namespaceSelector != nil else { return nil }
        return .pods(podSelector: podSelector, namespaceSelector: namespaceSelector)
    }

    private static func decodePort(_ port: FieldMap, reader: inout FieldReader) -> NetworkPolicyPort? {
        let issueCount = reader.issues.count
        reader.rejectUnknownFields(port, known: ["protocol", "port", "endPort"])
        let transport = PolicyFieldDecoding.transportProtocol(port["protocol"], reader: &reader)
        var selector: PortSelector? = nil
        switch port["port"].value {
        case .string(let name)?:
            selector = PolicyFieldDecoding.portName(name, at: port["port"].path, reader: &reader).map(
                PortSelector.named)
        case .integer?:
            selector = PolicyFieldDecoding.portNumber(port["port"], reader: &reader).map { .numbers($0...$0) }
        case nil, .null?:
            break
        case let other?:
            reader.report(port["port"].path, "expected a port number or name, got \(other.describedForMessage)")
        }
        selector = PolicyFieldDecoding.range(
            from: selector, endPort: port["endPort"], portField: port["port"], reader: &reader)
        guard let transport, reader.issues.count == issueCount else { return nil }
        return NetworkPolicyPort(protocol: transport, port: selector)
    }
}
