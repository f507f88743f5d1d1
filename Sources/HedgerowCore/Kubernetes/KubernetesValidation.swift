/// Kubernetes' validation rules for names, label keys, label values and port names.
///
/// Each function returns the problems it found (empty when the value is valid), like the API
/// server's `validation.IsDNS1123Label` family does, so callers can report all of them. The rules
/// are Kubernetes' exactly (lengths, character sets, first and last characters); the wording of
/// the messages is ours.
public enum KubernetesValidation {
    /// The longest DNS-1123 label (namespace names, container names).
    public static let dns1123LabelMaxLength = 63
    /// The longest DNS-1123 subdomain (pod names, node names, label key prefixes).
    public static let dns1123SubdomainMaxLength = 253
    /// The longest name part of a qualified name (label keys) and the longest label value.
    public static let qualifiedNameMaxLength = 63
    /// The longest IANA service name (container port names).
    public static let portNameMaxLength = 15

    /// A lowercase RFC 1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
    /// Namespace names and container names.
    public static func dns1123LabelProblems(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > dns1123LabelMaxLength {
            problems.append("must be no more than \(dns1123LabelMaxLength) characters")
        }
        if !isDNS1123Label(value.utf8) {
            problems.append(
                "must consist of lowercase letters, digits and '-', and start and end with a letter or digit (e.g. 'my-name' or '123-abc')"
            )
        }
        return problems
    }

    /// A lowercase RFC 1123 subdomain: dot-separated DNS-1123 labels, at most 253 characters.
    /// Pod names, node names and label key prefixes.
    public static func dns1123SubdomainProblems(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > dns1123SubdomainMaxLength {
            problems.append("must be no more than \(dns1123SubdomainMaxLength) characters")
        }
        if !isDNS1123Subdomain(value) {
            problems.append(
                "must consist of lowercase letters, digits, '-' and '.', and start and end with a letter or digit (e.g. 'example.com')"
            )
        }
        return problems
    }

    /// A label key: an optional DNS subdomain prefix and '/', then a name of at most 63
    /// characters from `[A-Za-z0-9._-]` that starts and ends with a letter or digit.
    public static func labelKeyProblems(_ key: String) -> [String] {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        let name: Substring
        var problems: [String] = []
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                problems.append("prefix part must be non-empty")
            } else {
                problems += dns1123SubdomainProblems(String(prefix)).map { "prefix part " + $0 }
            }
        default:
            return [
                "must be a name of letters, digits, '-', '_' or '.' that starts and ends with a letter or digit, with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        }
        if name.isEmpty {
            problems.append("name part must be non-empty")
        } else {
            if name.utf8.count > qualifiedNameMaxLength {
                problems.append("name part must be no more than \(qualifiedNameMaxLength) characters")
            }
            if !isQualifiedNamePart(name.utf8) {
                problems.append(
                    "name part must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit (e.g. 'MyName', 'my.name' or '123-abc')"
                )
            }
        }
        return problems
    }

    /// A label value: empty, or at most 63 characters from `[A-Za-z0-9._-]` that start and end
    /// with a letter or digit.
    public static func labelValueProblems(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > qualifiedNameMaxLength {
            problems.append("must be no more than \(qualifiedNameMaxLength) characters")
        }
        if !value.isEmpty && !isQualifiedNamePart(value.utf8) {
            problems.append(
                "must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit (e.g. 'MyValue', 'my_value' or '12345')"
            )
        }
        return problems
    }

    /// An IANA service name (RFC 6335), which Kubernetes requires of port names: at most 15
    /// characters, lowercase letters, digits and '-', at least one letter, no '--', no '-' at
    /// either end.
    public static func portNameProblems(_ name: String) -> [String] {
        let bytes = Array(name.utf8)
        var problems: [String] = []
        if bytes.count > portNameMaxLength {
            problems.append("must be no more than \(portNameMaxLength) characters")
        }
        if !bytes.allSatisfy({ isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }) {
            problems.append("must contain only lowercase letters, digits and '-'")
        }
        if !bytes.contains(where: isLowercaseLetter) {
            problems.append("must contain at least one letter (a-z)")
        }
        if name.contains("--") {
            problems.append("must not contain consecutive hyphens")
        }
        if bytes.first == UInt8(ascii: "-") || bytes.last == UInt8(ascii: "-") {
            problems.append("must not begin or end with a hyphen")
        }
        return problems
    }

    // MARK: Character classes (ASCII only, as Kubernetes' regular expressions are)

    private static func isDNS1123Label<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return false }
        return isLowerAlphanumeric(first) && isLowerAlphanumeric(last)
            && bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isDNS1123Subdomain(_ value: String) -> Bool {
        value.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy {
            isDNS1123Label($0)
        }
    }

    private static func isQualifiedNamePart<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return false }
        return isAlphanumeric(first) && isAlphanumeric(last)
            && bytes.allSatisfy {
                isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
            }
    }

    private static func isLowercaseLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        isLowercaseLetter(byte) || isDigit(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
