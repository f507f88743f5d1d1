/// A manifest document as data: the JSON data model Kubernetes decodes objects from.
///
/// YAML is read the way Kubernetes reads it (YAML 1.1 scalars: `yes`/`on` are booleans,
/// `1.10` is a number, quoted scalars are strings), so a value Kubernetes would refuse for a
/// field's type is refused here too.
enum ManifestValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case list([ManifestValue])
    case map([String: ManifestValue])

    /// How messages name this kind of value: "a string", "a list", ...
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .list: "a list"
        case .map: "a map"
        }
    }

    /// A short rendering of a scalar for messages (nil for lists and maps).
    var scalarText: String? {
        switch self {
        case .null: "null"
        case .bool(let value): String(value)
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .string(let value): "\"\(value)\""
        case .list, .map: nil
        }
    }

    /// `kindDescription` plus the value itself for scalars: `a number (1.1)`.
    var describedForMessage: String {
        if let text = scalarText, self != .null { return "\(kindDescription) (\(text))" }
        return kindDescription
    }

    subscript(key: String) -> ManifestValue? {
        if case .map(let map) = self { return map[key] }
        return nil
    }
}
