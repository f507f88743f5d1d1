/// `spec.ports[]` of a Service, with Kubernetes' rules: names are DNS-1123 labels, required and
/// unique when there are several ports; port+protocol and nodePort+protocol are unique;
/// `targetPort` is a port number or an IANA service name and defaults to `port`.
enum ServicePortDecoding {
    static func decode(_ field: Field, type: ServiceType, reader: inout FieldReader) -> [ServicePort] {
        let entries = ServiceFieldDecoding.maps(field, reader: &reader)
        var ports: [ServicePort] = []
        var firstPathOfName: [String: FieldPath] = [:]
        var firstPathOfPort: [PortKey: FieldPath] = [:]
        var firstPathOfNodePort: [PortKey: FieldPath] = [:]
        for entry in entries {
            let name = ServiceFieldDecoding.dnsLabelName(entry["name"], reader: &reader)
            if let name {
                if let earlier = firstPathOfName[name] {
                    reader.report(entry["name"].path, "duplicate port name \"\(name)\" (also at \(earlier))")
                } else {
                    firstPathOfName[name] = entry["name"].path
                }
            } else if entries.count > 1 {
                reader.report(entry["name"].path, "required value is missing (a service with several ports must name each)")
            }
            let transport = ServiceFieldDecoding.transportProtocol(entry["protocol"], reader: &reader)
            let number = ServiceFieldDecoding.port(entry["port"], required: true, reader: &reader)
            let target = decodeTargetPort(entry["targetPort"], reader: &reader)
            let nodePort = decodeNodePort(entry["nodePort"], type: type, reader: &reader)

            guard let transport, let number else { continue }
            if let earlier = firstPathOfPort.updateValue(entry.path, forKey: PortKey(number, transport)) {
                reader.report(entry["port"].path, "duplicate port \(number)/\(transport.rawValue) (also at \(earlier))")
            }
            if let nodePort, let earlier = firstPathOfNodePort.updateValue(entry.path, forKey: PortKey(nodePort, transport)) {
                reader.report(entry["nodePort"].path, "duplicate node port \(nodePort)/\(transport.rawValue) (also at \(earlier))")
            }
            ports.append(ServicePort(name: name, protocol: transport, port: number, targetPort: target, nodePort: nodePort))
        }
        return ports
    }

    private struct PortKey: Hashable {
        let port: UInt16
        let transport: TransportProtocol
        init(_ port: UInt16, _ transport: TransportProtocol) {
            self.port = port
            self.transport = transport
        }
    }

    /// A number (1-65535) or a name; nil when absent, 0 or empty (the default applies).
    private static func decodeTargetPort(_ field: Field, reader: inout FieldReader) -> TargetPort? {
        switch field.value {
        case nil, .null?, .integer(0)?, .string("")?:
            return nil
        case .integer?:
            return ServiceFieldDecoding.port(field, required: false, reader: &reader).map(TargetPort.number)
        case .string(let name)?:
            let problems = KubernetesValidation.portNameProblems(name)
            guard problems.isEmpty else {
                MetadataDecoding.reportInvalid(
                    name, problems: ["a target port is a number or a port name, which " + problems.joined(separator: "; ")],
                    at: field.path, reader: &reader)
                return nil
            }
            return .name(name)
        case let other?:
            reader.report(field.path, "expected a port number or name, got \(other.describedForMessage)")
            return nil
        }
    }

    /// 0 or absent means none; only NodePort and LoadBalancer services may set one.
    private static func decodeNodePort(_ field: Field, type: ServiceType, reader: inout FieldReader) -> UInt16? {
        if field.value == .integer(0) { return nil }
        guard let nodePort = ServiceFieldDecoding.port(field, required: false, reader: &reader) else { return nil }
        if type == .clusterIP {
            reader.report(field.path, "may not be used when type is \"ClusterIP\"")
            return nil
        }
        return nodePort
    }
}
