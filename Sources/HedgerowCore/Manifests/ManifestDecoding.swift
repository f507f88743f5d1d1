/// Turns a document's data into objects by apiVersion and kind.
enum ManifestDecoding {
    enum Outcome: Equatable {
        case decoded(ManifestObject)
        /// The object's reference when it could be told (for messages), and what is wrong.
        case failed(ObjectReference?, [FieldIssue])
    }

    /// Namespaced kinds besides Pod and the namespaced policy kinds.
    private static let namespacedServiceKinds: Set<String> = ["Service", "EndpointSlice"]

    /// A document is one object or a `v1 List` of objects.
    static func decode(document: ManifestValue) -> [Outcome] {
        guard case .map(let entries) = document,
            entries["kind"] == .string("List"), entries["apiVersion"] == .string("v1")
        else {
            return [decodeObject(document, at: .root)]
        }
        var reader = FieldReader()
        let itemsField = Field(value: entries["items"], path: FieldPath.root.appending("items"))
        guard let items = reader.requiredList(itemsField) else {
            return [.failed(ObjectReference(kind: "List", name: ""), reader.issues)]
        }
        return items.map { item in
            if item.value?["kind"] == .string("List") {
                return .failed(
                    ObjectReference(kind: "List", name: ""),
                    [FieldIssue(path: item.path, message: "a List cannot contain another List")])
            }
            return decodeObject(item.value ?? .null, at: item.path)
        }
    }

    private static func decodeObject(_ value: ManifestValue, at path: FieldPath) -> Outcome {
        var reader = FieldReader()
        guard case .map(let entries) = value else {
            let what = path.isRoot ? "a manifest document" : "a List item"
            return .failed(nil, [FieldIssue(path: path, message: "\(what) must be a map, got \(value.kindDescription)")])
        }
        let object = FieldMap(entries: entries, path: path)
        let apiVersion = reader.requiredString(object["apiVersion"])
        let kind = reader.requiredString(object["kind"])
        guard let apiVersion, let kind else {
            return .failed(bestEffortReference(value, at: path), reader.issues)
        }
        let reference = bestEffortReference(value, at: path)

        let decoded: ManifestObject?
        switch kind {
        case "Namespace":
            decoded = requireAPIVersion("v1", of: object, is: apiVersion, kind: kind, reader: &reader)
                ? NamespaceDecoding.decode(object, reader: &reader).map(ManifestObject.namespace) : nil
        case "Pod":
            decoded = requireAPIVersion("v1", of: object, is: apiVersion, kind: kind, reader: &reader)
                ? PodDecoding.decode(object, reader: &reader).map(ManifestObject.pod) : nil
        case _ where PolicyKind(rawValue: kind) != nil:
            let policyKind = PolicyKind(rawValue: kind)!
            decoded = requireAPIVersion(policyKind.apiVersion, of: object, is: apiVersion, kind: kind, reader: &reader)
                ? PolicyDecoding.decode(object, kind: policyKind, reader: &reader).map(ManifestObject.policy) : nil
        case "Service":
            decoded = requireAPIVersion("v1", of: object, is: apiVersion, kind: kind, reader: &reader)
                ? ServiceDecoding.decode(object, reader: &reader).map(ManifestObject.service) : nil
        case "EndpointSlice":
            decoded = requireAPIVersion("discovery.k8s.io/v1", of: object, is: apiVersion, kind: kind, reader: &reader)
                ? EndpointSliceDecoding.decode(object, reader: &reader).map(ManifestObject.endpointSlice) : nil
        default:
            decoded = .unknown(reference ?? ObjectReference(kind: kind, name: ""), apiVersion: apiVersion)
        }
        if let decoded, reader.issues.isEmpty { return .decoded(decoded) }
        return .failed(reference, reader.issues)
    }

    private static func requireAPIVersion(
        _ expected: String, of object: FieldMap, is apiVersion: String, kind: String, reader: inout FieldReader
    ) -> Bool {
        guard apiVersion != expected else { return true }
        reader.report(object["apiVersion"].path, "kind \(kind) has apiVersion \"\(expected)\", not \"\(apiVersion)\"")
        return false
    }

    /// The kind, namespace and name of an object as far as they can be read, without reporting
    /// anything (the decoders report what is wrong). Namespaced kinds default to "default".
    static func bestEffortReference(_ value: ManifestValue, at path: FieldPath) -> ObjectReference? {
        guard case .string(let kind)? = value["kind"] else { return nil }
        let metadata = value["metadata"]
        let name: String
        if case .string(let text)? = metadata?["name"] { name = text } else { name = "" }
        var namespace: String? = nil
        if case .string(let text)? = metadata?["namespace"], !text.isEmpty { namespace = text }
        if namespace == nil && isNamespaced(kind) { namespace = "default" }
        if kind == "Namespace" || PolicyKind(rawValue: kind)?.isNamespaced == false {
            namespace = nil
        }
        return ObjectReference(kind: kind, namespace: namespace, name: name)
    }

    private static func isNamespaced(_ kind: String) -> Bool {
        kind == "Pod" || namespacedServiceKinds.contains(kind) || PolicyKind(rawValue: kind)?.isNamespaced == true
    }
}
