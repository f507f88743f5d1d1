@testable import HedgerowCore

/// Parses one file and returns the error descriptions (empty when it is clean).
func errorDescriptions(_ yaml: String, file: String = "lab/pods.yaml") -> [String] {
    ParsedManifest.parse(file: file, contents: yaml).errors.map(\.description)
}

/// The single pod of a clean one-pod manifest (nil, with the errors recorded, otherwise).
func parsePod(_ yaml: String) -> Pod? {
    let parsed = ParsedManifest.parse(file: "lab/pods.yaml", contents: yaml)
    guard parsed.errors.isEmpty, parsed.items.count == 1, case .pod(let pod) = parsed.items[0].object else {
        return nil
    }
    return pod
}

/// A pod manifest in namespace x named a, with `spec` indented under `spec:`.
func podYAML(spec: String = "", status: String = "", metadataExtra: String = "") -> String {
    var yaml = """
        apiVersion: v1
        kind: Pod
        metadata:
          namespace: x
          name: a
        \(metadataExtra)
        """
    if !spec.isEmpty { yaml += "\nspec:\n" + spec }
    if !status.isEmpty { yaml += "\nstatus:\n" + status }
    return yaml + "\n"
}
