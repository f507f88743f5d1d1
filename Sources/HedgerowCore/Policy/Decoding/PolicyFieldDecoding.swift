/// Field readers shared by the policy kinds: ports, protocols, CIDRs.
enum PolicyFieldDecoding {
    // MARK: Ports

    /// A port number field (1-65535), as an integer.
    static func portNumber(_ field: Field, reader: inout FieldReader) -> UInt16? {
        guard let number = reader.integer(field) else { return nil }
        guard (1...65535).contains(number) else {
            reader.report(field.path, "\(number) is not a valid port (1-65535)")
            return nil
        }
        return UInt16(number)
    }

    /// A port name (an IANA service name, as container ports are named).
    static func portName(_ name: String, at path: FieldPath, reader: inout FieldReader) -> String? {
        var problems = KubernetesValidation.portNameProblems(name)
        guard !problems.isEmpty else { return name }
        if !name.isEmpty, name.allSatisfy(\.isNumber) {
            problems.append("a port number must be written without quotes")
        }
        MetadataDecoding.reportInvalid(name, problems: problems, at: path, reader: &reader)
        return nil
    }

    /// `endPort` after a `port`: needs a numeric port and is at least that port.
    static func range(
        from port: PortSelector?, endPort field: Field, portField: Field, reader: inout FieldReader
    ) -> PortSelector? {
        guard field.value != nil, field.value != .null else { return port }
        guard let end = reader.integer(field) else { return nil }
        switch port {
        case nil:
            if portField.value == nil || portField.value == .null {
                reader.report(field.path, "may not be specified when port is not specified")
            }
            return nil
        case .named(let name)?:
            reader.report(field.path, "may not be specified when port is a name (\"\(name)\")")
            return nil
        case .numbers(let range)?:
            guard (1...65535).contains(end) else {
                reader.report(field.path, "\(end) is not a valid port (1-65535)")
                return nil
            }
            guard end >= Int(range.lowerBound) else {
                reader.report(
                    field.path, "\(end) < port \(range.lowerBound); endPort must be greater than or equal to port")
                return nil
            }
            return .numbers(range.lowerBound...UInt16(end))
        }
    }

    // MARK: Protocols

    /// Kubernetes' protocol field: TCP (the default when absent), UDP or SCTP; case-sensitive.
    static func transportProtocol(_ field: Field, reader: inout FieldReader) -> TransportProtocol? {
        guard let text = reader.string(field) else {
            return field.value == nil || field.value == .null ? .tcp : nil
        }
        return oneOf(TransportProtocol.allCases, text, at: field.path, reader: &reader)
    }

    /// A value from a fixed set, with Kubernetes' "unsupported value" message.
    static func oneOf<Value: RawRepresentable<String>>(
        _ cases: [Value], _ text: String, at path: FieldPath, hint: String = "", reader: inout FieldReader
    ) -> Value? {
        if let value = cases.first(where: { $0.rawValue == text }) { return value }
        let supported = cases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        reader.report(path, "unsupported value \"\(text)\": supported values are \(supported)\(hint)")
        return nil
    }

    // MARK: CIDRs

    /// A prefix in CIDR notation; host bits must be clear. With `allowsBareAddress` an address
    /// alone means its host prefix (Cilium's `fromCIDR` allows that).
    static func prefix(_ text: String, at path: FieldPath, allowsBareAddress: Bool = false, reader: inout FieldReader)
        -> IPPrefix?
    {
        if let prefix = IPPrefix(text) { return prefix }
        if allowsBareAddress, !text.contains("/"), let address = IPAddress(text) {
            return IPPrefix(host: address)
        }
        // Say precisely what is wrong: most often host bits (10.0.0.1/8).
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2, let address = IPAddress(String(parts[0])), let length = UInt8(parts[1]),
            let masked = IPPrefix(address: address, length: length)
        {
            reader.report(path, "invalid value \"\(text)\": host bits are set; the network is \(masked)")
        } else {
            let example = allowsBareAddress ? "an IP address or a CIDR" : "a CIDR"
            reader.report(path, "invalid value \"\(text)\": must be \(example) such as 10.0.0.0/8 or fd00::/64")
        }
        return nil
    }

    /// A CIDR with exceptions, each strictly inside it and of its family.
    static func block(
        cidr cidrField: Field, except exceptField: Field, reader: inout FieldReader
    ) -> CIDRBlock? {
        let issueCount = reader.issues.count
        let cidrText = reader.requiredString(cidrField)
        if cidrText == "" { reader.reportMissing(cidrField) }
        let cidr = cidrText.flatMap { $0.isEmpty ? nil : prefix($0, at: cidrField.path, reader: &reader) }
        var except: [IPPrefix] = []
        for (text, path) in reader.stringItems(exceptField) {
            guard let exception = prefix(text, at: path, reader: &reader) else { continue }
            if let cidr, !(cidr.contains(exception) && exception.length > cidr.length) {
                reader.report(path, "invalid value \"\(text)\": must be a strict subset of cidr \(cidr)")
                continue
            }
            except.append(exception)
        }
        guard let cidr, reader.issues.count == issueCount else { return nil }
        return CIDRBlock(cidr: cidr, except: except)
    }
}
