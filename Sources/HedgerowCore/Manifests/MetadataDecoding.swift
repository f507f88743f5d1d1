/// `metadata` of an object: name, namespace and labels, validated by Kubernetes' rules.
struct ObjectMetadata {
    var name: String
    /// Nil when absent or empty (callers apply their default).
    var namespace: String?
    var labels: Labels
}

enum MetadataDecoding {
    enum NameRule {
        /// Namespaces: a DNS-1123 label.
        case dns1123Label
        /// Pods and most other objects: a DNS-1123 subdomain.
        case dns1123Subdomain

        func problems(_ name: String) -> [String] {
            switch self {
            case .dns1123Label: KubernetesValidation.dns1123LabelProblems(name)
            case .dns1123Subdomain: KubernetesValidation.dns1123SubdomainProblems(name)
            }
        }
    }

    /// Reads `metadata`; returns nil (with issues reported) when name or labels are unusable.
    /// Fields we do not use (annotations, uid, ownerReferences, ...) are ignored.
    static func decode(_ object: FieldMap, nameRule: NameRule, reader: inout FieldReader) -> ObjectMetadata? {
        guard let metadata = reader.requiredMap(object["metadata"]) else { return nil }
        let issueCount = reader.issues.count

        let name = reader.requiredString(metadata["name"])
        if let name {
            reportInvalid(name, problems: nameRule.problems(name), at: metadata["name"].path, reader: &reader)
        }
        var namespace = reader.string(metadata["namespace"])
        if namespace == "" { namespace = nil }
        if let namespace {
            reportInvalid(
                namespace, problems: KubernetesValidation.dns1123LabelProblems(namespace),
                at: metadata["namespace"].path, reader: &reader)
        }
        let labels = decodeLabels(metadata["labels"], reader: &reader)

        guard let name, reader.issues.count == issueCount else { return nil }
        return ObjectMetadata(name: name, namespace: namespace, labels: labels)
    }

    /// A label map: keys and values checked against Kubernetes' rules.
    static func decodeLabels(_ field: Field, reader: inout FieldReader) -> Labels {
        guard let map = reader.stringMap(field) else { return Labels() }
        for key in map.keys.sorted() {
            let keyProblems = KubernetesValidation.labelKeyProblems(key)
            if !keyProblems.isEmpty {
                reader.report(field.path, "invalid label key \"\(key)\": " + keyProblems.joined(separator: "; "))
            }
            let value = map[key] ?? ""
            reportInvalid(
                value, problems: KubernetesValidation.labelValueProblems(value), at: field.path.appending(key),
                reader: &reader)
        }
        return Labels(map)
    }

    static func reportInvalid(_ value: String, problems: [String], at path: FieldPath, reader: inout FieldReader) {
        guard !problems.isEmpty else { return }
        reader.report(path, "invalid value \"\(value)\": " + problems.joined(separator: "; "))
    }
}
