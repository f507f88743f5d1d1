import Foundation

/// How `hpolicy suggest` prints a suggestion.
public enum PolicySuggestionFormat: String, Sendable, CaseIterable {
    /// Documents separated by `---`, each with a comment saying what it was learned from.
    case yaml
    /// One `v1 List` of the objects (JSON has no comments; the counts are in annotations).
    case json
}

extension PolicySuggestion {
    /// The policies as text that `hpolicy validate` and `hpolicy apply` read. `origin` says where
    /// the flows came from ("flows since 2026-01-02T03:04:05Z"), for the YAML header.
    public func rendered(as format: PolicySuggestionFormat, origin: String? = nil) throws -> String {
        let documents = policies.flatMap(SuggestionDocuments.documents)
        switch format {
        case .json:
            let list: [String: Any] = ["apiVersion": "v1", "kind": "List", "items": documents.map(\.jsonValue)]
            let data = try JSONSerialization.data(withJSONObject: list, options: [.prettyPrinted, .sortedKeys])
            return String(decoding: data, as: UTF8.self) + "\n"
        case .yaml:
            return header(origin: origin).map { "# \($0)\n" }.joined()
                + (try documents.map { "---\n" + (try $0.yaml()) }.joined())
        }
    }

    private func header(origin: String?) -> [String] {
        let counts = "\(SuggestionDocuments.counted(connections, "connection")) "
            + "(\(SuggestionDocuments.counted(flows, "flow")))"
        var lines = [
            "Least-privilege policies for namespace \(namespace), suggested by hpolicy from \(counts)"
                + (origin.map { " of \($0)" } ?? "") + ".",
            "Each policy allows only what its pods were seen doing (and DNS); everything else to and from",
            "them is denied. Pods that sent or received no forwarded flow are not covered. Review before applying.",
        ]
        if !unselectablePods.isEmpty {
            lines.append(
                "No policy for pods without stable labels (their traffic stays unrestricted): "
                    + unselectablePods.map { "\(namespace)/\($0)" }.joined(separator: ", ") + ".")
        }
        return lines
    }
}
