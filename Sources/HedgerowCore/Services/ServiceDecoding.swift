/// `v1 Service`: metadata, and from spec and status what service translation needs. Unknown
/// fields are ignored (real manifests carry many: ipFamilies, healthCheckNodePort, ...);
/// wrong types and invalid values are reported, with Kubernetes' own rules where it has them.
enum ServiceDecoding {
    static func decode(_ object: FieldMap, reader: inout FieldReader) -> Service? {
        let issueCount = reader.issues.count
        let metadata = MetadataDecoding.decode(object, nameRule: .dns1123Label, reader: &reader)
        if let metadata {
            let namePath = object["metadata"].path.appending("name")
            ServiceFieldDecoding.reportIfNotDNS1035(metadata.name, at: namePath, reader: &reader)
        }
        var service = Service(name: metadata?.name ?? "", labels: metadata?.labels ?? Labels())
        service.namespace = metadata?.namespace ?? PodDecoding.defaultNamespace
        if let spec = reader.map(object["spec"]) {
            decodeSpec(spec, into: &service, reader: &reader)
        } else if object["spec"].value == nil || object["spec"].value == .null {
            reader.reportMissing(object["spec"])
        }
        if let ingress = reader.map(object["status"]).flatMap({ reader.map($0["loadBalancer"]) })?["ingress"] {
            service.loadBalancerIngressIPs = decodeIngressIPs(ingress, reader: &reader)
        }
        guard metadata != nil, reader.issues.count == issueCount else { return nil }
        return service
    }

    private static func decodeSpec(_ spec: FieldMap, into service: inout Service, reader: inout FieldReader) {
        service.type = ServiceFieldDecoding.oneOf(spec["type"], default: ServiceType.clusterIP, reader: &reader)
            ?? .clusterIP
        decodeClusterIPs(spec, into: &service, reader: &reader)
        if service.type == .externalName {
            service.externalName = reader.requiredString(spec["externalName"])
            if service.externalName == "" { reader.reportMissing(spec["externalName"]) }
        }
        service.ports = ServicePortDecoding.decode(spec["ports"], type: service.type, reader: &reader)
        let portsGiven = ![nil, .null, .list([])].contains(spec["ports"].value)
        if !portsGiven, !service.isHeadless, service.type != .externalName {
            reader.report(spec["ports"].path, "required value is missing (only headless and ExternalName services may have no ports)")
        }
        if spec["selector"].value != nil, spec["selector"].value != .null {
            service.selector = MetadataDecoding.decodeLabels(spec["selector"], reader: &reader)
        }
        service.sessionAffinity = decodeSessionAffinity(spec, reader: &reader)
        service.externalTrafficPolicy =
            ServiceFieldDecoding.oneOf(spec["externalTrafficPolicy"], default: TrafficPolicy.cluster, reader: &reader)
            ?? .cluster
        service.internalTrafficPolicy =
            ServiceFieldDecoding.oneOf(spec["internalTrafficPolicy"], default: TrafficPolicy.cluster, reader: &reader)
            ?? .cluster
        service.externalIPs = ServiceFieldDecoding.ipList(spec["externalIPs"], reader: &reader)
        service.allocateLoadBalancerNodePorts = reader.bool(spec["allocateLoadBalancerNodePorts"]) ?? true
    }

    // MARK: Cluster IPs

    /// `clusterIP` and `clusterIPs` ("None" = headless): `clusterIPs[0]` must equal `clusterIP`
    /// when both are set, at most two addresses, one per family.
    private static func decodeClusterIPs(_ spec: FieldMap, into service: inout Service, reader: inout FieldReader) {
        let single = reader.string(spec["clusterIP"]).flatMap { $0.isEmpty ? nil : $0 }
        let listField = spec["clusterIPs"]
        var texts: [(text: String, path: FieldPath)] = []
        for item in reader.list(listField) ?? [] {
            if let text = reader.requiredString(item) { texts.append((text, item.path)) }
        }
        if texts.isEmpty, let single { texts = [(single, spec["clusterIP"].path)] }
        if let single, let first = texts.first, first.text != single {
            reader.report(listField.path.appending(index: 0), "must equal spec.clusterIP (\"\(single)\")")
            return
        }
        if texts.count > 2 {
            reader.report(listField.path, "at most two addresses (one per IP family), got \(texts.count)")
            return
        }
        if texts.contains(where: { $0.text == "None" }) {
            if texts.count > 1 {
                reader.report(listField.path, "\"None\" (headless) must be the only value")
            } else if service.hasNodePorts {
                reader.report(texts[0].path, "a \(service.type.rawValue) service cannot be headless (clusterIP: None)")
            }
            service.isHeadless = true
            return
        }
        for (text, path) in texts {
            guard let ip = IPAddress(text) else {
                reader.report(path, "invalid value \"\(text)\": must be an IP address or \"None\"")
                continue
            }
            if let other = service.clusterIPs.first(where: { $0.family == ip.family }) {
                reader.report(path, "at most one \(ip.family) address (also \(other))")
                continue
            }
            service.clusterIPs.append(ip)
        }
    }

    // MARK: Session affinity

    private static func decodeSessionAffinity(_ spec: FieldMap, reader: inout FieldReader) -> SessionAffinity {
        enum Kind: String, CaseIterable {
            case none = "None"
            case clientIP = "ClientIP"
        }
        let kind = ServiceFieldDecoding.oneOf(spec["sessionAffinity"], default: Kind.none, reader: &reader)
        let config = reader.map(spec["sessionAffinityConfig"])
        let clientIP = config.flatMap { reader.map($0["clientIP"]) }
        let timeoutField = clientIP?["timeoutSeconds"]
        let timeout = timeoutField.flatMap { reader.integer($0) }
        if let timeout, let timeoutField, !(1...Int(SessionAffinity.maximumTimeoutSeconds)).contains(timeout) {
            reader.report(timeoutField.path, "\(timeout) is not a valid timeout (1-\(SessionAffinity.maximumTimeoutSeconds) seconds)")
            return .none
        }
        guard kind == .clientIP else {
            if kind == Kind.none, let config {
                reader.report(config.path, "must not be set when sessionAffinity is \"None\"")
            }
            return .none
        }
        return .clientIP(timeoutSeconds: timeout.map { UInt32($0) } ?? SessionAffinity.defaultTimeoutSeconds)
    }

    // MARK: Status

    /// `status.loadBalancer.ingress[].ip`; entries with only a hostname are skipped.
    private static func decodeIngressIPs(_ field: Field, reader: inout FieldReader) -> [IPAddress] {
        var ips: [IPAddress] = []
        for entry in ServiceFieldDecoding.maps(field, reader: &reader) {
            _ = reader.string(entry["hostname"])
            guard let ip = ServiceFieldDecoding.ip(entry["ip"], reader: &reader), !ips.contains(ip) else { continue }
            ips.append(ip)
        }
        return ips
    }
}
