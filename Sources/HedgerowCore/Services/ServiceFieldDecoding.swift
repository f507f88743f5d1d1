/// Field readers shared by the Service and EndpointSlice decoders: ports, protocols, IPs and
/// closed sets of string values, each reporting with the field's path.
enum ServiceFieldDecoding {
    /// A port number 1-65535; nil (reported) when out of range.
    static func port(_ field: Field, required: Bool, reader: inout FieldReader) -> UInt16? {
        let number = required ? reader.requiredInteger(field) : reader.integer(field)
        guard let number else { return nil }
        guard (1...65535).contains(number) else {
            reader.report(field.path, "\(number) is not a valid port (1-65535)")
            return nil
        }
        return UInt16(number)
    }

    /// Default TCP (absent, null or empty); Kubernetes' values are case-sensitive.
    static func transportProtocol(_ field: Field, reader: inout FieldReader) -> TransportProtocol? {
        oneOf(field, default: .tcp, reader: &reader)
    }

    /// A string that must be one of `Value`'s raw values; `default` when absent, null or empty.
    static func oneOf<Value: RawRepresentable & CaseIterable>(
        _ field: Field, default defaultValue: Value, reader: inout FieldReader
    ) -> Value? where Value.RawValue == String {
        guard let text = reader.string(field) else {
            return field.value == nil || field.value == .null ? defaultValue : nil
        }
        if text.isEmpty { return defaultValue }
        guard let value = Value(rawValue: text) else {
            let supported = Value.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            reader.report(field.path, "unsupported value \"\(text)\": supported values are \(supported)")
            return nil
        }
        return value
    }

    /// An IP address in text form; nil when absent or empty (reported when `required`).
    static func ip(_ field: Field, required: Bool = false, reader: inout FieldReader) -> IPAddress? {
        let text = required ? reader.requiredString(field) : reader.string(field)
        guard let text, !text.isEmpty else {
            if required, text == "" { reader.reportMissing(field) }
            return nil
        }
        guard let ip = IPAddress(text) else {
            reader.report(field.path, "invalid value \"\(text)\": not an IP address")
            return nil
        }
        return ip
    }

    /// A list of IP addresses; each invalid or duplicate entry is reported.
    static func ipList(_ field: Field, reader: inout FieldReader) -> [IPAddress] {
        var ips: [IPAddress] = []
        for item in reader.list(field) ?? [] {
            guard let ip = ip(item, required: true, reader: &reader) else { continue }
            if ips.contains(ip) {
                reader.report(item.path, "duplicate value \"\(ip)\"")
                continue
            }
            ips.append(ip)
        }
        return ips
    }

    /// The maps of a list; null entries are reported (a wrong type is reported by the reader).
    static func maps(_ field: Field, reader: inout FieldReader) -> [FieldMap] {
        (reader.list(field) ?? []).compactMap { item in
            guard let map = reader.map(item) else {
                if item.value == nil || item.value == .null { reader.report(item.path, "expected a map, got null") }
                return nil
            }
            return map
        }
    }

    /// A DNS-1123 label (service port names, EndpointSlice port names); nil when absent or empty.
    static func dnsLabelName(_ field: Field, reader: inout FieldReader) -> String? {
        guard let name = reader.string(field), !name.isEmpty else { return nil }
        MetadataDecoding.reportInvalid(
            name, problems: KubernetesValidation.dns1123LabelProblems(name), at: field.path, reader: &reader)
        return name
    }

    /// Service names are DNS-1035 labels: a DNS-1123 label that starts with a letter (they
    /// become DNS names and environment variable prefixes).
    static func reportIfNotDNS1035(_ name: String, at path: FieldPath, reader: inout FieldReader) {
        guard KubernetesValidation.dns1123LabelProblems(name).isEmpty, let first = name.utf8.first,
            !(UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first)
        else { return }
        reader.report(path, "invalid value \"\(name)\": a service name must start with a lowercase letter")
    }
}
