@testable import HedgerowCore

/// Decodes a one-document YAML manifest with `decode` and reports problems exactly as
/// `ParsedManifest` does (file, document, object, field path), so that tests pin the messages
/// users will see once the kinds are routed through `ManifestDecoding`.
func decodeManifest<Object>(
    _ yaml: String, file: String = "lab/svc.yaml",
    with decode: (FieldMap, inout FieldReader) -> Object?
) -> (object: Object?, errors: [String]) {
    let (documents, syntaxError) = YAMLDocuments.read(yaml)
    guard syntaxError == nil, documents.count == 1, case .map(let entries) = documents[0].value else {
        return (nil, ["test YAML is not one map document: \(String(describing: syntaxError))"])
    }
    var reader = FieldReader()
    let object = decode(FieldMap(entries: entries, path: .root), &reader)
    let reference = ManifestDecoding.bestEffortReference(documents[0].value, at: .root)
    let errors = reader.issues.map {
        ManifestError(file: file, document: 1, object: reference, field: $0.path.description, message: $0.message)
            .description
    }
    return (reader.issues.isEmpty ? object : nil, errors)
}

func decodeService(_ yaml: String) -> (service: Service?, errors: [String]) {
    let result = decodeManifest(yaml) { ServiceDecoding.decode($0, reader: &$1) }
    return (result.object, result.errors)
}

func decodeSlice(_ yaml: String) -> (slice: EndpointSlice?, errors: [String]) {
    let result = decodeManifest(yaml, file: "lab/slices.yaml") { EndpointSliceDecoding.decode($0, reader: &$1) }
    return (result.object, result.errors)
}

/// A Service named x/web with `spec` indented under `spec:`.
func serviceYAML(spec: String, status: String = "") -> String {
    var yaml = """
        apiVersion: v1
        kind: Service
        metadata:
          namespace: x
          name: web
        spec:

        """
    yaml += spec
    if !status.isEmpty { yaml += "\nstatus:\n" + status }
    return yaml + "\n"
}

/// An address literal known to be valid.
func addr(_ text: String) -> IPAddress { IPAddress(text)! }
