import HedgerowCore

/// Decodes API objects with HedgerowCore's manifest decoders, so an object means the same
/// whether it came from a manifests directory or from the API server.
///
/// The object is handed over as JSON text (JSON is YAML): Core's value tree is internal to
/// Core and its one public entry point reads text. Bytes are parsed once by `JSONParser` (to
/// read metadata and add the kind/apiVersion that list items lack), written back compactly
/// and read by Core's YAML reader; that YAML parse is most of the cost (about 0.3-0.6 ms for a
/// 1.7 KB pod on this machine), paid once per object version received.
enum ObjectDecoding {
    enum Outcome: Sendable {
        case decoded(ManifestObject)
        case failed([ObjectProblem])
    }

    /// The object's kind, namespace and name from its metadata; nil when it has no name.
    static func reference(of object: JSONValue, resource: KubernetesResource) -> ObjectReference? {
        guard let name = object["metadata"]?["name"]?.stringValue, !name.isEmpty else { return nil }
        let namespace = object["metadata"]?["namespace"]?.stringValue
        return ObjectReference(kind: resource.kind, namespace: namespace?.isEmpty == false ? namespace : nil, name: name)
    }

    static func resourceVersion(of object: JSONValue) -> String? {
        guard let version = object["metadata"]?["resourceVersion"]?.stringValue, !version.isEmpty else { return nil }
        return version
    }

    static func decode(_ object: JSONValue, as resource: KubernetesResource, reference: ObjectReference) -> Outcome {
        guard case .object(var entries) = object else {
            return .failed([ObjectProblem(object: reference, message: "expected a JSON object")])
        }
        // List items carry no kind/apiVersion; watch events do.
        if entries["kind"] == nil { entries["kind"] = .string(resource.kind) }
        if entries["apiVersion"] == nil { entries["apiVersion"] = .string(resource.apiVersion) }
        guard entries["kind"] == .string(resource.kind) else {
            return .failed([
                ObjectProblem(
                    object: reference, field: "kind",
                    message: "expected \(resource.kind) from \(resource.path), got \(entries["kind"].map { "\($0)" } ?? "nothing")")
            ])
        }
        let text = JSONWriter.text(.object(entries))
        let parsed = ParsedManifest.parse(file: resource.path, contents: text)
        if !parsed.errors.isEmpty {
            return .failed(
                parsed.errors.map { ObjectProblem(object: $0.object ?? reference, field: $0.field, message: $0.message) })
        }
        guard parsed.items.count == 1, let item = parsed.items.first else {
            return .failed([ObjectProblem(object: reference, message: "decoded to \(parsed.items.count) objects, expected 1")])
        }
        if case .unknown = item.object {
            return .failed([ObjectProblem(object: reference, field: "kind", message: "not a kind Hedgerow decodes")])
        }
        return .decoded(item.object)
    }
}
