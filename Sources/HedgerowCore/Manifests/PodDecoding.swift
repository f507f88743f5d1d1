/// `v1 Pod`: metadata, and from spec and status only what networking needs. Unknown fields are
/// ignored (real manifests carry many); wrong types and invalid values are reported.
enum PodDecoding {
    static let defaultNamespace = "default"

    static func decode(_ object: FieldMap, reader: inout FieldReader) -> Pod? {
        let issueCount = reader.issues.count
        let metadata = MetadataDecoding.decode(object, nameRule: .dns1123Subdomain, reader: &reader)
        var nodeName: String? = nil
        var hostNetwork = false
        var containers: [Container] = []
        if let spec = reader.map(object["spec"]) {
            nodeName = decodeNodeName(spec["nodeName"], reader: &reader)
            hostNetwork = reader.bool(spec["hostNetwork"]) ?? false
            containers = decodeContainers(spec["containers"], reader: &reader)
        }
        let ips = reader.map(object["status"]).map { decodeIPs($0, reader: &reader) } ?? []

        guard let metadata, reader.issues.count == issueCount else { return nil }
        return Pod(
            namespace: metadata.namespace ?? defaultNamespace, name: metadata.name, labels: metadata.labels,
            nodeName: nodeName, hostNetwork: hostNetwork, containers: containers, ips: ips)
    }

    private static func decodeNodeName(_ field: Field, reader: inout FieldReader) -> String? {
        guard let name = reader.string(field), !name.isEmpty else { return nil }
        MetadataDecoding.reportInvalid(
            name, problems: KubernetesValidation.dns1123SubdomainProblems(name), at: field.path, reader: &reader)
        return name
    }

    // MARK: Containers and ports

    private static func decodeContainers(_ field: Field, reader: inout FieldReader) -> [Container] {
        (reader.list(field) ?? []).compactMap { item in
            guard let container = reader.map(item) else {
                if item.value == nil || item.value == .null { reader.report(item.path, "expected a map, got null") }
                return nil
            }
            let name = reader.string(container["name"])
            if let name {
                MetadataDecoding.reportInvalid(
                    name, problems: KubernetesValidation.dns1123LabelProblems(name), at: container["name"].path,
                    reader: &reader)
            }
            return Container(name: name, ports: decodePorts(container["ports"], reader: &reader))
        }
    }

    private static func decodePorts(_ field: Field, reader: inout FieldReader) -> [ContainerPort] {
        var ports: [ContainerPort] = []
        var pathOfName: [String: FieldPath] = [:]
        for item in reader.list(field) ?? [] {
            guard let map = reader.map(item) else {
                if item.value == nil || item.value == .null { reader.report(item.path, "expected a map, got null") }
                continue
            }
            let number = decodePortNumber(map["containerPort"], reader: &reader)
            let name = decodePortName(map["name"], reader: &reader)
            if let name {
                // Kubernetes requires port names to be unique within a container.
                if let earlier = pathOfName[name] {
                    reader.report(map["name"].path, "duplicate port name \"\(name)\" (also at \(earlier))")
                } else {
                    pathOfName[name] = map["name"].path
                }
            }
            let transport = decodeProtocol(map["protocol"], reader: &reader)
            if let number, let transport {
                ports.append(ContainerPort(name: name, port: number, protocol: transport))
            }
        }
        return ports
    }

    private static func decodePortNumber(_ field: Field, reader: inout FieldReader) -> UInt16? {
        guard let number = reader.requiredInteger(field) else { return nil }
        guard (1...65535).contains(number) else {
            reader.report(field.path, "\(number) is not a valid port (1-65535)")
            return nil
        }
        return UInt16(number)
    }

    private static func decodePortName(_ field: Field, reader: inout FieldReader) -> String? {
        guard let name = reader.string(field), !name.isEmpty else { return nil }
        MetadataDecoding.reportInvalid(
            name, problems: KubernetesValidation.portNameProblems(name), at: field.path, reader: &reader)
        return name
    }

    /// Default TCP; Kubernetes' values are case-sensitive.
    private static func decodeProtocol(_ field: Field, reader: inout FieldReader) -> TransportProtocol? {
        guard let text = reader.string(field), !text.isEmpty else {
            return field.value == nil || field.value == .null || field.value == .string("") ? .tcp : nil
        }
        guard let transport = TransportProtocol(rawValue: text) else {
            let supported = TransportProtocol.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            reader.report(field.path, "unsupported value \"\(text)\": supported values are \(supported)")
            return nil
        }
        return transport
    }

    // MARK: Status addresses

    /// `status.podIPs` when present (its first entry must equal `status.podIP`), else
    /// `status.podIP`. At most one address per family, as Kubernetes requires.
    private static func decodeIPs(_ status: FieldMap, reader: inout FieldReader) -> [IPAddress] {
        let primary = decodeIP(status["podIP"], reader: &reader)
        guard let entries = reader.list(status["podIPs"]), !entries.isEmpty else {
            return primary.map { [$0] } ?? []
        }
        var ips: [IPAddress] = []
        for entry in entries {
            guard let map = reader.map(entry) else {
                if entry.value == nil || entry.value == .null { reader.report(entry.path, "expected a map, got null") }
                continue
            }
            guard let ip = decodeIP(map["ip"], required: true, reader: &reader) else { continue }
            if let other = ips.first(where: { $0.family == ip.family }) {
                reader.report(map["ip"].path, "a pod has at most one \(ip.family) address (also \(other))")
                continue
            }
            ips.append(ip)
        }
        if let primary, let first = ips.first, first != primary {
            reader.report(status["podIPs"].path.appending(index: 0).appending("ip"), "must equal status.podIP (\(primary))")
        }
        return ips
    }

    private static func decodeIP(_ field: Field, required: Bool = false, reader: inout FieldReader) -> IPAddress? {
        let text = required ? reader.requiredString(field) : reader.string(field)
        guard let text, !text.isEmpty else { return nil }
        guard let ip = IPAddress(text) else {
            reader.report(field.path, "invalid value \"\(text)\": not an IP address")
            return nil
        }
        return ip
    }
}
