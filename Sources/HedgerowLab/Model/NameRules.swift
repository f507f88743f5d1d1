/// The naming rules a lab file is checked against. Each returns nil when the name is fine, or
/// the reason it is not (phrased to follow the field path in an error message).
public enum NameRules {
    /// Lab names end up inside namespace, cgroup and pin-directory names, so they are short.
    public static let maxLabNameLength = 20

    public static func labNameProblem(_ name: String) -> String? {
        if name.count > maxLabNameLength { return "lab name '\(name)' is longer than \(maxLabNameLength) characters" }
        return dnsLabelProblem(name, what: "lab name")
    }

    /// RFC 1123 label, as Kubernetes requires for namespace and pod names (and we for nodes).
    public static func dnsLabelProblem(_ name: String, what: String = "name") -> String? {
        guard !name.isEmpty else { return "\(what) is empty" }
        guard name.count <= 63 else { return "\(what) '\(name)' is longer than 63 characters" }
        let allowed = name.unicodeScalars.allSatisfy { isLowerAlphanumeric($0) || $0 == "-" }
        guard allowed, isLowerAlphanumeric(name.unicodeScalars.first!), isLowerAlphanumeric(name.unicodeScalars.last!) else {
            return "\(what) '\(name)' must be lowercase letters, digits and '-', starting and ending with a letter or digit"
        }
        return nil
    }

    /// Kubernetes label key: optional DNS-subdomain prefix and '/', then a name of at most 63.
    public static func labelKeyProblem(_ key: String) -> String? {
        var name = Substring(key)
        if let slash = key.firstIndex(of: "/") {
            let prefix = key[..<slash]
            name = key[key.index(after: slash)...]
            let prefixOK = !prefix.isEmpty && prefix.count <= 253
                && prefix.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { dnsLabelProblem(String($0)) == nil }
            if !prefixOK { return "label key '\(key)' has an invalid prefix (must be a DNS subdomain)" }
        }
        if name.isEmpty { return "label key '\(key)' has an empty name" }
        if let problem = labelTextProblem(String(name)) { return "label key '\(key)': \(problem)" }
        return nil
    }

    public static func labelValueProblem(_ value: String) -> String? {
        if value.isEmpty { return nil }
        if let problem = labelTextProblem(value) { return "label value '\(value)': \(problem)" }
        return nil
    }

    /// IANA service name, what a named container port must be.
    public static func portNameProblem(_ name: String) -> String? {
        let scalars = Array(name.unicodeScalars)
        guard !scalars.isEmpty, scalars.count <= 15 else { return "port name '\(name)' must be 1 to 15 characters" }
        let allowed = scalars.allSatisfy { isLowerAlphanumeric($0) || $0 == "-" }
        let hasLetter = scalars.contains { ("a"..."z").contains($0) }
        guard allowed, hasLetter, scalars.first != "-", scalars.last != "-", !name.contains("--") else {
            return "port name '\(name)' must be lowercase letters, digits and single '-' with at least one letter"
        }
        return nil
    }

    private static func labelTextProblem(_ text: String) -> String? {
        guard text.count <= 63 else { return "longer than 63 characters" }
        let scalars = Array(text.unicodeScalars)
        let allowed = scalars.allSatisfy { isAlphanumeric($0) || $0 == "-" || $0 == "_" || $0 == "." }
        guard allowed, isAlphanumeric(scalars.first!), isAlphanumeric(scalars.last!) else {
            return "must be letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
        }
        return nil
    }

    private static func isLowerAlphanumeric(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("0"..."9").contains(c) }
    private static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool { isLowerAlphanumeric(c) || ("A"..."Z").contains(c) }
}
