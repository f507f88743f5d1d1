/// `metadata` of a policy: the shared rules (name, namespace, labels), plus strictness: unlike
/// pods, whose manifests come from elsewhere, a misspelt `namespace` here would move the policy.
enum PolicyMetadataDecoding {
    static let topLevelFields: Set<String> = ["apiVersion", "kind", "metadata", "spec", "status"]

    /// Every field of Kubernetes' ObjectMeta; other keys are typos.
    static let objectMetaFields: Set<String> = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
        "ownerReferences", "finalizers", "managedFields",
    ]

    /// Name, namespace (nil for cluster-scoped kinds; "default" when absent for namespaced) and
    /// mode (the `policy.hedgerow.dev/mode` annotation, enforce when absent).
    static func decode(_ object: FieldMap, kind: PolicyKind, reader: inout FieldReader) -> (
        namespace: String?, name: String, mode: PolicyMode
    )? {
        var mode = PolicyMode.enforce
        if let metadata = reader.map(object["metadata"]) {
            reader.rejectUnknownFields(metadata, known: objectMetaFields)
            if !kind.isNamespaced, let namespace = reader.string(metadata["namespace"]), !namespace.isEmpty {
                reader.report(
                    metadata["namespace"].path, "a \(kind.rawValue) is cluster-wide and has no namespace; remove it")
            }
            mode = decodeMode(metadata["annotations"], reader: &reader)
        }
        guard let decoded = MetadataDecoding.decode(object, nameRule: .dns1123Subdomain, reader: &reader) else {
            return nil
        }
        guard kind.isNamespaced else { return (nil, decoded.name, mode) }
        return (decoded.namespace ?? PodDecoding.defaultNamespace, decoded.name, mode)
    }

    /// The mode annotation: "enforce" or "audit"; anything else is an error, since a typo
    /// would silently enforce what the author meant only to audit.
    private static func decodeMode(_ annotations: Field, reader: inout FieldReader) -> PolicyMode {
        guard let map = reader.stringMap(annotations), let text = map[PolicyMode.annotation] else { return .enforce }
        guard let mode = PolicyMode(rawValue: text) else {
            reader.report(
                annotations.path.appending(PolicyMode.annotation),
                "unsupported value \"\(text)\": supported values are \"enforce\", \"audit\"")
            return .enforce
        }
        return mode
    }
}
