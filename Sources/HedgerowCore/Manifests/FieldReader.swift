/// A problem with one field of a document.
struct FieldIssue: Equatable, Sendable {
    var path: FieldPath
    var message: String
}

/// A value found (or not) at a path of a document.
struct Field {
    let value: ManifestValue?
    let path: FieldPath
}

/// A map found at a path; `map["key"]` is the field under it.
struct FieldMap {
    let entries: [String: ManifestValue]
    let path: FieldPath

    subscript(key: String) -> Field { Field(value: entries[key], path: path.appending(key)) }
}

/// Reads typed fields out of a document, collecting every problem rather than stopping at the
/// first, so that one run reports everything wrong with a manifest.
///
/// Absent and null fields read as nil (Kubernetes treats them alike); a field of the wrong type
/// is reported and also reads as nil.
struct FieldReader {
    private(set) var issues: [FieldIssue] = []

    mutating func report(_ path: FieldPath, _ message: String) {
        issues.append(FieldIssue(path: path, message: message))
    }

    mutating func reportMissing(_ field: Field) {
        report(field.path, "required value is missing")
    }

    mutating func map(_ field: Field) -> FieldMap? {
        switch field.value {
        case nil, .null?: return nil
        case .map(let entries)?: return FieldMap(entries: entries, path: field.path)
        case let other?:
            reportType(field, expected: "a map", got: other)
            return nil
        }
    }

    mutating func list(_ field: Field) -> [Field]? {
        switch field.value {
        case nil, .null?: return nil
        case .list(let items)?:
            return items.enumerated().map { Field(value: $1, path: field.path.appending(index: $0)) }
        case let other?:
            reportType(field, expected: "a list", got: other)
            return nil
        }
    }

    mutating func string(_ field: Field) -> String? {
        switch field.value {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case let other?:
            reportType(field, expected: "a string", got: other)
            return nil
        }
    }

    mutating func integer(_ field: Field) -> Int? {
        switch field.value {
        case nil, .null?: return nil
        case .integer(let value)?: return value
        case let other?:
            reportType(field, expected: "an integer", got: other)
            return nil
        }
    }

    mutating func bool(_ field: Field) -> Bool? {
        switch field.value {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case let other?:
            reportType(field, expected: "a boolean", got: other)
            return nil
        }
    }

    /// A map whose values must all be strings (labels, annotations).
    mutating func stringMap(_ field: Field) -> [String: String]? {
        guard let map = map(field) else { return nil }
        var result: [String: String] = [:]
        for key in map.entries.keys.sorted() {
            if let value = string(map[key]) { result[key] = value }
        }
        return result
    }

    // MARK: Required fields: absent or null is reported too

    mutating func requiredMap(_ field: Field) -> FieldMap? {
        isPresent(field) ? map(field) : nil
    }

    mutating func requiredList(_ field: Field) -> [Field]? {
        isPresent(field) ? list(field) : nil
    }

    mutating func requiredString(_ field: Field) -> String? {
        isPresent(field) ? string(field) : nil
    }

    mutating func requiredInteger(_ field: Field) -> Int? {
        isPresent(field) ? integer(field) : nil
    }

    private mutating func isPresent(_ field: Field) -> Bool {
        if field.value == nil || field.value == .null {
            reportMissing(field)
            return false
        }
        return true
    }

    private mutating func reportType(_ field: Field, expected: String, got value: ManifestValue) {
        var message = "expected \(expected), got \(value.describedForMessage)"
        // YAML turns unquoted `on`, `yes`, `1.10` into booleans and numbers: say how to fix it.
        if expected == "a string", value.scalarText != nil, value != .null {
            message += "; quote the value to keep it a string"
        }
        report(field.path, message)
    }
}
