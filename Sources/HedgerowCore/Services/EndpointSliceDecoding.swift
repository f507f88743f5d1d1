/// `discovery.k8s.io/v1 EndpointSlice`: addressType, endpoints (addresses, conditions, nodeName,
/// targetRef) and ports. Unknown fields (hints, zone, hostname, appProtocol, ...) are ignored;
/// addresses must be of the slice's address type.
enum EndpointSliceDecoding {
    static func decode(_ object: FieldMap, reader: inout FieldReader) -> EndpointSlice? {
        let issueCount = reader.issues.count
        let metadata = MetadataDecoding.decode(object, nameRule: .dns1123Subdomain, reader: &reader)
        let addressType: EndpointAddressType?
        switch object["addressType"].value {
        case nil, .null?, .string("")?:
            reader.reportMissing(object["addressType"])
            addressType = nil
        default:
            addressType = ServiceFieldDecoding.oneOf(object["addressType"], default: .ipv4, reader: &reader)
        }
        let endpoints = addressType.map { decodeEndpoints(object["endpoints"], addressType: $0, reader: &reader) } ?? []
        let ports = decodePorts(object["ports"], reader: &reader)

        guard let metadata, let addressType, reader.issues.count == issueCount else { return nil }
        return EndpointSlice(
            namespace: metadata.namespace ?? PodDecoding.defaultNamespace, name: metadata.name, labels: metadata.labels,
            addressType: addressType, endpoints: endpoints, ports: ports)
    }

    // MARK: Endpoints

    private static func decodeEndpoints(
        _ field: Field, addressType: EndpointAddressType, reader: inout FieldReader
    ) -> [Endpoint] {
        ServiceFieldDecoding.maps(field, reader: &reader).compactMap { entry in
            let addresses = decodeAddresses(entry["addresses"], addressType: addressType, reader: &reader)
            var conditions = EndpointConditions()
            if let map = reader.map(entry["conditions"]) {
                conditions.ready = reader.bool(map["ready"])
                conditions.serving = reader.bool(map["serving"])
                conditions.terminating = reader.bool(map["terminating"])
            }
            var nodeName = reader.string(entry["nodeName"])
            if nodeName == "" { nodeName = nil }
            if let nodeName {
                MetadataDecoding.reportInvalid(
                    nodeName, problems: KubernetesValidation.dns1123SubdomainProblems(nodeName),
                    at: entry["nodeName"].path, reader: &reader)
            }
            let targetRef = reader.map(entry["targetRef"]).flatMap { decodeTargetRef($0, reader: &reader) }
            guard let addresses else { return nil }
            return Endpoint(addresses: addresses, conditions: conditions, nodeName: nodeName, targetRef: targetRef)
        }
    }

    /// One to 100 addresses (Kubernetes' limits). FQDN slices keep none: they are not translated.
    private static func decodeAddresses(
        _ field: Field, addressType: EndpointAddressType, reader: inout FieldReader
    ) -> [IPAddress]? {
        guard let items = reader.requiredList(field) else { return nil }
        guard (1...100).contains(items.count) else {
            reader.report(field.path, "must have 1 to 100 addresses, got \(items.count)")
            return nil
        }
        guard let family = addressType.family else {
            for item in items { _ = reader.requiredString(item) }
            return []
        }
        var addresses: [IPAddress] = []
        for item in items {
            guard let ip = ServiceFieldDecoding.ip(item, required: true, reader: &reader) else { continue }
            guard ip.family == family else {
                reader.report(item.path, "\(ip) is not an \(family) address (addressType is \(addressType.rawValue))")
                continue
            }
            addresses.append(ip)
        }
        return addresses
    }

    private static func decodeTargetRef(_ map: FieldMap, reader: inout FieldReader) -> ObjectReference? {
        let kind = reader.string(map["kind"])
        let namespace = reader.string(map["namespace"])
        let name = reader.string(map["name"])
        guard let kind, let name, !kind.isEmpty, !name.isEmpty else { return nil }
        return ObjectReference(kind: kind, namespace: namespace.flatMap { $0.isEmpty ? nil : $0 }, name: name)
    }

    // MARK: Ports

    /// Names are DNS-1123 labels and unique (empty is a name too: the unnamed port).
    private static func decodePorts(_ field: Field, reader: inout FieldReader) -> [EndpointPort] {
        var ports: [EndpointPort] = []
        var firstPathOfName: [String: FieldPath] = [:]
        for entry in ServiceFieldDecoding.maps(field, reader: &reader) {
            let name = ServiceFieldDecoding.dnsLabelName(entry["name"], reader: &reader)
            if let earlier = firstPathOfName.updateValue(entry["name"].path, forKey: name ?? "") {
                let shown = name.map { "\"\($0)\"" } ?? "(unnamed)"
                reader.report(entry["name"].path, "duplicate port name \(shown) (also at \(earlier))")
            }
            let transport = ServiceFieldDecoding.transportProtocol(entry["protocol"], reader: &reader)
            let port = ServiceFieldDecoding.port(entry["port"], required: false, reader: &reader)
            guard let transport else { continue }
            if entry["port"].value != nil, entry["port"].value != .null, port == nil { continue }
            ports.append(EndpointPort(name: name, port: port, protocol: transport))
        }
        return ports
    }
}
