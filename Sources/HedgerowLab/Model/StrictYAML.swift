import Yams

/// A read-only view of a YAML node that knows where it is (file, line, field path) so every
/// decoding error names both. Mappings are read through `fields(allowed:)`, which rejects
/// unknown and duplicate keys: a typo in a lab file is an error, never a silent default.
struct StrictYAML {
    let node: Node
    let path: String
    let file: String
    /// Where each field path was found, filled as values are read (for later, cross-field errors).
    let marks: MarkBook

    static func parse(_ text: String, file: String) throws -> StrictYAML {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw LabFileError(location: file, path: "", reason: "not valid YAML: \(error)")
        }
        guard let root else { throw LabFileError(location: file, path: "", reason: "the document is empty") }
        let book = MarkBook()
        book.record("", root.mark)
        return StrictYAML(node: root, path: "", file: file, marks: book)
    }

    var location: String { node.mark.map { "\(file):\($0.line):\($0.column)" } ?? file }

    func error(_ reason: String) -> LabFileError { LabFileError(location: location, path: path, reason: reason) }

    func child(_ node: Node, path: String) -> StrictYAML {
        marks.record(path, node.mark)
        return StrictYAML(node: node, path: path, file: file, marks: marks)
    }

    var isNull: Bool {
        guard case let .scalar(scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The mapping's fields, keyed by name; unknown or repeated keys are errors.
    func fields(allowed: Set<String>) throws -> Fields {
        guard case let .mapping(mapping) = node else { throw error("expected a mapping, found \(kind)") }
        var values: [String: StrictYAML] = [:]
        for (keyNode, valueNode) in mapping {
            guard case let .scalar(key) = keyNode else {
                throw child(keyNode, path: path).error("mapping keys must be plain strings")
            }
            let fieldPath = path.isEmpty ? key.string : "\(path).\(key.string)"
            let value = child(valueNode, path: fieldPath)
            guard allowed.contains(key.string) else {
                let known = allowed.sorted().joined(separator: ", ")
                throw child(keyNode, path: fieldPath).error("unknown field (known fields: \(known))")
            }
            guard values[key.string] == nil else { throw child(keyNode, path: fieldPath).error("field appears twice") }
            values[key.string] = value
        }
        return Fields(owner: self, values: values)
    }

    func sequence() throws -> [StrictYAML] {
        guard case let .sequence(items) = node else { throw error("expected a list, found \(kind)") }
        return items.enumerated().map { index, item in child(item, path: "\(path)[\(index)]") }
    }

    func string() throws -> String {
        guard case let .scalar(scalar) = node, !isNull else { throw error("expected a string, found \(kind)") }
        return scalar.string
    }

    func int() throws -> Int {
        guard case let .scalar(scalar) = node, scalar.style == .plain, let value = Int(scalar.string) else {
            throw error("expected an integer, found \(kind)")
        }
        return value
    }

    /// A flat map of strings, as `labels` are. Scalars are taken as their text.
    func stringMap() throws -> [String: String] {
        if isNull { return [:] }
        guard case let .mapping(mapping) = node else { throw error("expected a mapping of strings, found \(kind)") }
        var result: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            guard case let .scalar(key) = keyNode else { throw error("keys must be strings") }
            let entry = child(valueNode, path: "\(path).\(key.string)")
            guard result[key.string] == nil else { throw entry.error("key appears twice") }
            result[key.string] = try entry.string()
        }
        return result
    }

    private var kind: String {
        switch node {
        case .scalar: isNull ? "null" : "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// The fields of one mapping, read by name.
    struct Fields {
        let owner: StrictYAML
        let values: [String: StrictYAML]

        func required(_ key: String) throws -> StrictYAML {
            guard let value = values[key], !value.isNull else {
                let path = owner.path.isEmpty ? key : "\(owner.path).\(key)"
                throw LabFileError(location: owner.location, path: path, reason: "required field is missing")
            }
            return value
        }

        /// The field, or nil when it is absent or explicitly null.
        func optional(_ key: String) -> StrictYAML? {
            guard let value = values[key], !value.isNull else { return nil }
            return value
        }
    }
}

/// Field path -> "file:line:column", shared by the views of one document.
final class MarkBook {
    private(set) var marks: [String: Mark] = [:]
    func record(_ path: String, _ mark: Mark?) { if let mark { marks[path] = mark } }
    func mark(for path: String) -> Mark? { marks[path] }
}
