/// Typed access to a JSON object's fields, failing with a CNI error that names the field path
/// (`prevResult.ips[0].address: expected a string, got a number`).
struct JSONObjectReader {
    let object: [String: JSONValue]
    let path: String
    let code: CNIErrorCode

    init(_ value: JSONValue, path: String, code: CNIErrorCode) throws(CNIError) {
        guard case .object(let object) = value else {
            throw CNIError(code, Self.located(path, "expected an object, got \(value.kindDescription)"))
        }
        self.object = object
        self.path = path
        self.code = code
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Absent and null read as nil.
    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws(CNIError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw typeError(key, "a string", value) }
        return text
    }

    func requiredString(_ key: String) throws(CNIError) -> String {
        guard let text = try string(key) else { throw CNIError(code, Self.located(fieldPath(key), "required field is missing")) }
        return text
    }

    func integer(_ key: String) throws(CNIError) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .integer(let number) = value else { throw typeError(key, "an integer", value) }
        return number
    }

    func bool(_ key: String) throws(CNIError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw typeError(key, "a boolean", value) }
        return flag
    }

    func object(_ key: String) throws(CNIError) -> [String: JSONValue]? {
        guard let value = value(key) else { return nil }
        guard case .object(let object) = value else { throw typeError(key, "an object", value) }
        return object
    }

    /// The elements with their paths (`ips[0]`).
    func array(_ key: String) throws(CNIError) -> [(value: JSONValue, path: String)]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else { throw typeError(key, "an array", value) }
        return items.enumerated().map { ($1, "\(fieldPath(key))[\($0)]") }
    }

    func stringArray(_ key: String) throws(CNIError) -> [String]? {
        guard let items = try array(key) else { return nil }
        var strings: [String] = []
        for item in items {
            guard case .string(let text) = item.value else {
                throw CNIError(code, Self.located(item.path, "expected a string, got \(item.value.kindDescription)"))
            }
            strings.append(text)
        }
        return strings
    }

    /// The fields not in `known`: kept so that they survive a decode/encode round trip.
    func otherFields(excluding known: Set<String>) -> [String: JSONValue] {
        object.filter { !known.contains($0.key) }
    }

    private func typeError(_ key: String, _ expected: String, _ value: JSONValue) -> CNIError {
        CNIError(code, Self.located(fieldPath(key), "expected \(expected), got \(value.kindDescription)"))
    }

    static func located(_ path: String, _ message: String) -> String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}
