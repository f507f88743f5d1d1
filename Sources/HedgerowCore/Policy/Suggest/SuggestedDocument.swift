import Foundation
import Yams

/// One object of a suggestion and the comment lines that explain it. The object is a Yams node,
/// whose mappings keep the order they are built in: Kubernetes' usual field order (apiVersion,
/// kind, metadata, spec) and the same bytes for the same input.
struct SuggestedDocument {
    var comments: [String]
    var object: Node

    /// `# comment` lines, then the object as block YAML.
    func yaml() throws -> String {
        comments.map { "# \($0)\n" }.joined() + (try Yams.serialize(node: object))
    }

    /// The object as a JSON value (JSON has no comments).
    var jsonValue: Any { Self.jsonValue(object) }

    private static func jsonValue(_ node: Node) -> Any {
        switch node {
        case .mapping(let mapping):
            return Dictionary(mapping.map { ($0.key.string ?? "", jsonValue($0.value)) }, uniquingKeysWith: { first, _ in first })
        case .sequence(let sequence):
            return sequence.map(jsonValue)
        case .scalar(let scalar):
            return scalar.tag == Tag(.int) ? Int(scalar.string) ?? 0 : scalar.string
        case .alias:
            return NSNull()
        }
    }
}

/// Building nodes for Kubernetes objects.
extension Node {
    /// A mapping in the given order.
    static func map(_ pairs: [(String, Node)]) -> Node {
        .mapping(Node.Mapping(pairs.map { (Node.text($0.0), $0.1) }))
    }

    static func list(_ items: [Node]) -> Node { .sequence(Node.Sequence(items)) }

    /// A string that reads back as this string: quoted when YAML 1.1, as Kubernetes reads it,
    /// would take it for another type (Yams quotes numbers, booleans, null; `y` and `n` too).
    static func text(_ value: String) -> Node {
        let scalar = value.represented()
        guard ["y", "n"].contains(value.lowercased()) else { return .scalar(scalar) }
        return .scalar(Node.Scalar(value, Tag(.str), .doubleQuoted))
    }

    static func integer(_ value: Int) -> Node { .scalar(Node.Scalar(String(value), Tag(.int))) }
}
