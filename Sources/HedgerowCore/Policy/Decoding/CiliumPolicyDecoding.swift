/// `cilium.io/v2 CiliumNetworkPolicy` and `CiliumClusterwideNetworkPolicy`, the L3/L4 subset.
/// Strict: unknown fields are errors, and fields of Cilium's API that Hedgerow does not enforce
/// (L7 rules, FQDNs, services, node selectors, ...) are refused with a reason, never ignored.
enum CiliumPolicyDecoding {
    /// Cilium's limit of ports per `toPorts` item.
    static let maxPortsPerRule = 40

    private static let notEnforced = "Hedgerow enforces L3/L4 rules only"

    private static let ruleUnsupported: [String: String] = [
        "nodeSelector": "host (node) policies; select pods with endpointSelector",
        "log": "policy logging",
    ]

    private enum Section: String, CaseIterable {
        case ingress, ingressDeny, egress, egressDeny

        var isIngress: Bool { self == .ingress || self == .ingressDeny }
        var isDeny: Bool { self == .ingressDeny || self == .egressDeny }
        var peerPrefix: String { isIngress ? "from" : "to" }

        var known: Set<String> {
            let p = peerPrefix
            return [p + "Endpoints", p + "CIDR", p + "CIDRSet", p + "Entities", "toPorts"]
        }

        var unsupported: [String: String] {
            let p = peerPrefix
            var fields: [String: String] = [
                p + "Requires": "\(p)Requires (deprecated in Cilium)",
                p + "Groups": "\(p)Groups (cloud provider groups)",
                p + "Nodes": "\(p)Nodes (node identities); use \(p)Entities: [host, remote-node]",
                "icmps": "ICMP type rules; a rule without toPorts allows ICMP",
            ]
            if !isDeny { fields["authentication"] = "mutual authentication" }
            if !isIngress {
                fields["toFQDNs"] = "toFQDNs (DNS-based peers); \(notEnforced)"
                fields["toServices"] = "toServices; select the service's pods with toEndpoints"
            }
            return fields
        }
    }

    static func decode(_ object: FieldMap, kind: PolicyKind, reader: inout FieldReader) -> CiliumNetworkPolicy? {
        let issueCount = reader.issues.count
        reader.rejectUnknownFields(object, known: PolicyMetadataDecoding.topLevelFields.union(["specs"]))
        let metadata = PolicyMetadataDecoding.decode(object, kind: kind, reader: &reader)

        var rules: [CiliumRule] = []
        if let spec = reader.map(object["spec"]) {
            rules += decodeRule(spec, location: "spec", reader: &reader).map { [$0] } ?? []
        }
        if let specs = reader.list(object["specs"]) {
            if specs.isEmpty, object.entries["spec"] == nil { reader.report(object["specs"].path, "must not be empty") }
            for (index, item) in specs.enumerated() {
                guard let spec = reader.map(item) else {
                    if item.value == .null { reader.report(item.path, "expected a map, got null") }
                    continue
                }
                rules += decodeRule(spec, location: "specs[\(index)]", reader: &reader).map { [$0] } ?? []
            }
        }
        let hasSpec = [object["spec"], object["specs"]].contains { $0.value != nil && $0.value != .null }
        if !hasSpec {
            reader.report(object["spec"].path, "required value is missing (a Cilium policy needs spec or specs)")
        }
        guard let metadata, reader.issues.count == issueCount else { return nil }
        return CiliumNetworkPolicy(namespace: metadata.namespace, name: metadata.name, rules: rules, mode: metadata.mode)
    }

    private static func decodeRule(_ spec: FieldMap, location: String, reader: inout FieldReader) -> CiliumRule? {
        let issueCount = reader.issues.count
        reader.rejectUnknownFields(
            spec,
            known: [
                "endpointSelector", "ingress", "ingressDeny", "egress", "egressDeny", "enableDefaultDeny",
                "description", "labels",
            ],
            unsupported: ruleUnsupported)
        let endpointSelector = LabelSelectorDecoding.decode(spec["endpointSelector"], flavor: .cilium, reader: &reader)
        if spec.entries["endpointSelector"] == nil || spec.entries["endpointSelector"] == .null {
            reader.reportMissing(spec["endpointSelector"])
        }
        var sections: [Section: [CiliumPeerRule]] = [:]
        for section in Section.allCases {
            sections[section] = reader.mapItems(spec[section.rawValue]).compactMap {
                decodePeerRule($0, section: section, reader: &reader)
            }
        }
        var defaultDeny: (ingress: Bool?, egress: Bool?) = (nil, nil)
        if let enable = reader.map(spec["enableDefaultDeny"]) {
            reader.rejectUnknownFields(enable, known: ["ingress", "egress"])
            defaultDeny = (reader.bool(enable["ingress"]), reader.bool(enable["egress"]))
        }
        let description = reader.string(spec["description"])
        decodeRuleLabels(spec["labels"], reader: &reader)
        guard let endpointSelector, reader.issues.count == issueCount else { return nil }
        return CiliumRule(
            endpointSelector: endpointSelector, ingress: sections[.ingress] ?? [],
            ingressDeny: sections[.ingressDeny] ?? [],
            egress: sections[.egress] ?? [], egressDeny: sections[.egressDeny] ?? [],
            defaultDenyIngress: defaultDeny.ingress, defaultDenyEgress: defaultDeny.egress, description: description,
            location: location)
    }

    /// `labels` only name the rule; checked for shape, then not used.
    private static func decodeRuleLabels(_ field: Field, reader: inout FieldReader) {
        for label in reader.mapItems(field) {
            reader.rejectUnknownFields(label, known: ["key", "value", "source"])
            _ = reader.requiredString(label["key"])
            _ = reader.string(label["value"])
            _ = reader.string(label["source"])
        }
    }

    private static func decodePeerRule(_ rule: FieldMap, section: Section, reader: inout FieldReader) -> CiliumPeerRule?
    {
        let issueCount = reader.issues.count
        let p = section.peerPrefix
        reader.rejectUnknownFields(rule, known: section.known, unsupported: section.unsupported)

        var endpoints: [KubernetesLabelSelector] = []
        for item in reader.list(rule[p + "Endpoints"]) ?? [] {
            if item.value == .null { reader.report(item.path, "expected a map, got null") }
            if let selector = LabelSelectorDecoding.decode(item, flavor: .cilium, reader: &reader) {
                endpoints.append(selector)
            }
        }
        var cidrs: [CIDRBlock] = []
        for (text, path) in reader.stringItems(rule[p + "CIDR"]) {
            if let prefix = PolicyFieldDecoding.prefix(text, at: path, allowsBareAddress: true, reader: &reader) {
                cidrs.append(CIDRBlock(cidr: prefix))
            }
        }
        for set in reader.mapItems(rule[p + "CIDRSet"]) {
            reader.rejectUnknownFields(
                set, known: ["cidr", "except"],
                unsupported: [
                    "cidrGroupRef": "CiliumCIDRGroup references", "cidrGroupSelector": "CiliumCIDRGroup selectors",
                ])
            if let block = PolicyFieldDecoding.block(cidr: set["cidr"], except: set["except"], reader: &reader) {
                cidrs.append(block)
            }
        }
        var entities: [PolicyEntity] = []
        for (text, path) in reader.stringItems(rule[p + "Entities"]) {
            if let entity = PolicyFieldDecoding.oneOf(PolicyEntity.allCases, text, at: path, reader: &reader) {
                entities.append(entity)
            }
        }
        var ports: [CiliumPort] = []
        for portRule in reader.mapItems(rule["toPorts"]) {
            ports += decodePortRule(portRule, section: section, reader: &reader)
        }
        guard reader.issues.count == issueCount else { return nil }
        return CiliumPeerRule(endpoints: endpoints, cidrs: cidrs, entities: entities, ports: ports)
    }

    private static func decodePortRule(_ portRule: FieldMap, section: Section, reader: inout FieldReader)
        -> [CiliumPort]
    {
        let unsupported: [String: String] =
            section.isDeny
            ? [:]
            : [
                "rules": "L7 rules (HTTP, DNS, Kafka); \(notEnforced)",
                "terminatingTLS": "TLS termination; \(notEnforced)",
                "originatingTLS": "TLS origination; \(notEnforced)",
                "serverNames": "TLS server names; \(notEnforced)",
                "listener": "Envoy listeners; \(notEnforced)",
            ]
        reader.rejectUnknownFields(portRule, known: ["ports"], unsupported: unsupported)
        guard let items = reader.requiredList(portRule["ports"]) else { return [] }
        if items.isEmpty {
            reader.report(
                portRule["ports"].path, "must not be empty (list the ports, or drop toPorts to allow every port)")
        }
        if items.count > maxPortsPerRule {
            reader.report(portRule["ports"].path, "too many ports (\(items.count)); at most \(maxPortsPerRule)")
        }
        return reader.mapItems(portRule["ports"]).compactMap { decodePort($0, reader: &reader) }
    }

    private static func decodePort(_ port: FieldMap, reader: inout FieldReader) -> CiliumPort? {
        let issueCount = reader.issues.count
        reader.rejectUnknownFields(port, known: ["port", "endPort", "protocol"])
        var transport = CiliumProtocol.any
        if let text = reader.string(port["protocol"]) {
            let hint = text.uppercased().hasPrefix("ICMP") ? " (ICMP type rules are not supported yet)" : ""
            transport =
                PolicyFieldDecoding.oneOf(
                    CiliumProtocol.allCases, text, at: port["protocol"].path, hint: hint, reader: &reader) ?? .any
        }
        // Cilium writes ports as strings ("80"); a YAML number is taken too.
        var selector: PortSelector? = nil
        var isWildcard = false
        switch port["port"].value {
        case .integer(0)?:
            isWildcard = true
        case .integer?:
            selector = PolicyFieldDecoding.portNumber(port["port"], reader: &reader).map { .numbers($0...$0) }
        case .string(let text)? where !text.isEmpty && text.allSatisfy(\.isASCII) && text.allSatisfy(\.isNumber):
            if let number = Int(text), number == 0 {
                isWildcard = true
            } else if let number = Int(text), (1...65535).contains(number) {
                selector = .numbers(UInt16(number)...UInt16(number))
            } else {
                reader.report(port["port"].path, "\(text) is not a valid port (0-65535; 0 means every port)")
            }
        case .string(let text)?:
            selector = PolicyFieldDecoding.portName(text, at: port["port"].path, reader: &reader).map(
                PortSelector.named)
        case nil, .null?:
            reader.report(port["port"].path, "required value is missing (\"0\" means every port)")
        case let other?:
            reader.report(port["port"].path, "expected a port number or name, got \(other.describedForMessage)")
        }
        if isWildcard, port.entries["endPort"] != nil, port.entries["endPort"] != .null {
            reader.report(port["endPort"].path, "may not be specified when port is 0 (every port)")
        } else if !isWildcard {
            selector = PolicyFieldDecoding.range(
                from: selector, endPort: port["endPort"], portField: port["port"], reader: &reader)
        }
        guard reader.issues.count == issueCount else { return nil }
        return CiliumPort(port: selector, protocol: transport)
    }
}
