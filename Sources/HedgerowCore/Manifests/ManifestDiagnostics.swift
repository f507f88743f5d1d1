/// Something wrong with a manifest, located as precisely as possible:
///
///     lab/pods.yaml doc 2 (Pod x/a): spec.containers[0].ports[1].containerPort: 70000 is not a valid port (1-65535)
///     lab/pods.yaml:7:12: YAML syntax error: mapping values are not allowed in this context
public struct ManifestError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file's name as the caller gave it.
    public var file: String
    /// 1-based position of the YAML document in the file; nil for syntax errors, which are
    /// located by line and column instead.
    public var document: Int?
    /// The object the problem is about, when known.
    public var object: ObjectReference?
    /// The field path inside the document (`spec.containers[0].name`), when the problem is one
    /// field's.
    public var field: String?
    /// 1-based line and column, for YAML syntax errors.
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(
        file: String, document: Int? = nil, object: ObjectReference? = nil, field: String? = nil,
        line: Int? = nil, column: Int? = nil, message: String
    ) {
        self.file = file
        self.document = document
        self.object = object
        self.field = field
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        if let document { text += " doc \(document)" }
        if let object { text += " (\(object))" }
        text += ": "
        if let field, !field.isEmpty { text += field + ": " }
        return text + message
    }
}

/// Something in a manifest that is ignored, said out loud:
///
///     lab/app.yaml doc 2 (Deployment x/web): kind Deployment (apps/v1) is not known to Hedgerow, ignored
public struct ManifestWarning: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var document: Int
    public var object: ObjectReference?
    public var message: String

    public init(file: String, document: Int, object: ObjectReference? = nil, message: String) {
        self.file = file
        self.document = document
        self.object = object
        self.message = message
    }

    public var description: String {
        "\(file) doc \(document)" + (object.map { " (\($0))" } ?? "") + ": " + message
    }
}

/// Every problem found in a set of manifest files (never empty when thrown).
public struct ManifestLoadError: Error, Hashable, Sendable, CustomStringConvertible {
    public var errors: [ManifestError]

    public init(errors: [ManifestError]) { self.errors = errors }

    /// One problem per line, preceded by a count when there are several.
    public var description: String {
        if errors.count == 1 { return errors[0].description }
        return "\(errors.count) problems in manifests:\n" + errors.map { "  " + $0.description }.joined(separator: "\n")
    }
}
