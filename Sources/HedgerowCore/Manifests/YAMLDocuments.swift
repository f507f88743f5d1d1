import Yams

/// Splits a YAML (or JSON, which YAML includes) file into documents and converts each to a
/// `ManifestValue`, resolving scalars with YAML 1.1 rules as Kubernetes' YAML reader does.
enum YAMLDocuments {
    struct Document {
        /// 1-based position in the file, counting empty documents too, so that numbers match
        /// what a reader counts between `---` separators.
        let index: Int
        let value: ManifestValue
        /// Structural problems found while converting (e.g. a list used as a map key).
        let issues: [FieldIssue]

        /// A document with nothing in it (`---` alone, comments only, `null`).
        var isEmpty: Bool { value == .null && issues.isEmpty }
    }

    struct SyntaxError: Equatable {
        let line: Int?
        let column: Int?
        let message: String
    }

    /// The documents before a syntax error are returned too, so their problems get reported.
    static func read(_ contents: String) -> (documents: [Document], syntaxError: SyntaxError?) {
        var documents: [Document] = []
        do {
            var sequence = try compose_all(yaml: contents)
            while let node = sequence.next() {
                var issues: [FieldIssue] = []
                let value = convert(node, at: .root, issues: &issues)
                documents.append(Document(index: documents.count + 1, value: value, issues: issues))
            }
            if let error = sequence.error { return (documents, syntaxError(from: error, in: contents)) }
            return (documents, nil)
        } catch {
            return (documents, syntaxError(from: error, in: contents))
        }
    }

    // MARK: Nodes to values

    private static func convert(_ node: Node, at path: FieldPath, issues: inout [FieldIssue]) -> ManifestValue {
        switch node {
        case .scalar(let scalar):
            return convert(scalar, resolvedTag: Tag.Name(rawValue: node.tag.rawValue))
        case .sequence(let sequence):
            return .list(sequence.enumerated().map { convert($1, at: path.appending(index: $0), issues: &issues) })
        case .mapping(let mapping):
            return convert(mapping, at: path, issues: &issues)
        case .alias:
            // The composer substitutes the anchored node for every alias; kept for exhaustiveness.
            issues.append(FieldIssue(path: path, message: "unresolved YAML alias"))
            return .null
        }
    }

    private static func convert(_ scalar: Node.Scalar, resolvedTag: Tag.Name) -> ManifestValue {
        switch resolvedTag {
        case .null:
            return .null
        case .bool:
            return Bool.construct(from: scalar).map(ManifestValue.bool) ?? .string(scalar.string)
        case .int:
            // Too large for Int: keep it as a number, as JSON decoders do.
            if let value = Int.construct(from: scalar) { return .integer(value) }
            return Double.construct(from: scalar).map(ManifestValue.number) ?? .string(scalar.string)
        case .float:
            return Double.construct(from: scalar).map(ManifestValue.number) ?? .string(scalar.string)
        default:
            // Strings, and timestamps, which Kubernetes also keeps as strings.
            return .string(scalar.string)
        }
    }

    private static func convert(_ mapping: Node.Mapping, at path: FieldPath, issues: inout [FieldIssue]) -> ManifestValue {
        var entries: [String: ManifestValue] = [:]
        // YAML merge keys (`<<: *defaults`): explicit keys win, then earlier merged maps.
        var merged: [String: ManifestValue] = [:]
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                issues.append(FieldIssue(path: path, message: "map keys must be scalars, found \(describe(keyNode))"))
                continue
            }
            if keyNode.tag.rawValue == Tag.Name.merge.rawValue {
                for source in mergeSources(valueNode) {
                    guard case .map(let sourceEntries) = convert(source, at: path, issues: &issues) else {
                        issues.append(FieldIssue(path: path, message: "a merge key (<<) must refer to maps"))
                        continue
                    }
                    merged.merge(sourceEntries) { earlier, _ in earlier }
                }
                continue
            }
            let key = keyScalar.string
            entries[key] = convert(valueNode, at: path.appending(key), issues: &issues)
        }
        entries.merge(merged) { explicit, _ in explicit }
        return .map(entries)
    }

    private static func mergeSources(_ node: Node) -> [Node] {
        if case .sequence(let sequence) = node { return Array(sequence) }
        return [node]
    }

    private static func describe(_ node: Node) -> String {
        switch node {
        case .scalar: "a scalar"
        case .sequence: "a list"
        case .mapping: "a map"
        case .alias: "an alias"
        }
    }

    // MARK: Syntax errors

    private static func syntaxError(from error: Error, in contents: String) -> SyntaxError {
        guard let yamlError = error as? YamlError else {
            return SyntaxError(line: nil, column: nil, message: "YAML error: \(error)")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return SyntaxError(line: mark.line, column: mark.column, message: message)
        case .reader(let problem, let offset, _, _):
            let position = offset.map { lineAndColumn(ofCharacterOffset: $0, in: contents) }
            return SyntaxError(line: position?.line, column: position?.column, message: "YAML syntax error: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return SyntaxError(
                line: context.mark.line, column: context.mark.column,
                message: "duplicate key \(keys) in a map (each key may appear once)")
        default:
            return SyntaxError(line: nil, column: nil, message: "YAML error: \(yamlError)")
        }
    }

    private static func lineAndColumn(ofCharacterOffset offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
