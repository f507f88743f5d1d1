/// A Kubernetes label selector in its string form, matched against a flow end's labels:
/// `app=web`, `app==web`, `app!=web`, `tier in (a, b)`, `tier notin (a)`, `app`, `!app`,
/// requirements separated by commas and all required. Keys may name a label source as Cilium
/// does (`k8s:app=web`, `reserved:world`); without one, any source matches.
public struct FlowLabelSelector: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: Sendable, Hashable {
        case equals, notEquals, `in`, notIn, exists, doesNotExist
    }

    public struct Requirement: Sendable, Hashable {
        public var source: String?
        public var key: String
        public var `operator`: Operator
        public var values: [String]

        func matches(_ labels: [FlowLabel]) -> Bool {
            let found = labels.filter { $0.key == key && (source == nil || $0.source == source) }
            switch self.operator {
            case .exists: return !found.isEmpty
            case .doesNotExist: return found.isEmpty
            case .equals, .in: return found.contains { values.contains($0.value) }
            case .notEquals, .notIn: return !found.contains { values.contains($0.value) }
            }
        }
    }

    public let requirements: [Requirement]
    public let text: String

    /// Parses the selector; the error names `field` (e.g. "source_label").
    public init(parsing text: String, field: String = "label") throws(FlowFilterError) {
        self.text = text
        var requirements: [Requirement] = []
        var parser = SelectorScanner(text: Array(text.unicodeScalars))
        do {
            requirements = try parser.parseAll()
        } catch let reason {
            throw FlowFilterError(field: field, value: text, reason: reason.message)
        }
        guard !requirements.isEmpty else {
            throw FlowFilterError(field: field, value: text, reason: "empty label selector")
        }
        self.requirements = requirements
    }

    public func matches(_ labels: [FlowLabel]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    public var description: String { text }
}

struct SelectorSyntaxError: Error {
    let message: String
}

/// A hand-written scanner for the selector grammar (no regular expressions in the pure core).
private struct SelectorScanner {
    let text: [Unicode.Scalar]
    var position = 0

    init(text: [Unicode.Scalar]) { self.text = text }

    mutating func parseAll() throws(SelectorSyntaxError) -> [FlowLabelSelector.Requirement] {
        var requirements: [FlowLabelSelector.Requirement] = []
        skipSpaces()
        if atEnd { return [] }
        while true {
            requirements.append(try requirement())
            skipSpaces()
            if atEnd { return requirements }
            guard take(",") else { throw SelectorSyntaxError(message: "expected \",\" at offset \(position)") }
        }
    }

    private mutating func requirement() throws(SelectorSyntaxError) -> FlowLabelSelector.Requirement {
        skipSpaces()
        if take("!") {
            let (source, key) = try qualifiedKey()
            return .init(source: source, key: key, operator: .doesNotExist, values: [])
        }
        let (source, key) = try qualifiedKey()
        skipSpaces()
        if atEnd || peek == "," { return .init(source: source, key: key, operator: .exists, values: []) }
        if take("!=") { return .init(source: source, key: key, operator: .notEquals, values: [try value()]) }
        if take("==") || take("=") { return .init(source: source, key: key, operator: .equals, values: [try value()]) }
        let word = identifier()
        switch word {
        case "in": return .init(source: source, key: key, operator: .in, values: try valueSet())
        case "notin": return .init(source: source, key: key, operator: .notIn, values: try valueSet())
        default: throw SelectorSyntaxError(message: "expected an operator (=, ==, !=, in, notin) after \"\(key)\"")
        }
    }

    /// `key` or `source:key`; Kubernetes keys never contain ":", so one names a source.
    private mutating func qualifiedKey() throws(SelectorSyntaxError) -> (String?, String) {
        skipSpaces()
        let first = identifier()
        guard !first.isEmpty else { throw SelectorSyntaxError(message: "expected a label key at offset \(position)") }
        if take(":") {
            let key = identifier()
            guard !key.isEmpty else { throw SelectorSyntaxError(message: "expected a label key after \"\(first):\"") }
            return (first, key)
        }
        return (nil, first)
    }

    private mutating func value() throws(SelectorSyntaxError) -> String {
        skipSpaces()
        return identifier()  // an empty value is allowed: "app=" selects labels whose value is ""
    }

    private mutating func valueSet() throws(SelectorSyntaxError) -> [String] {
        skipSpaces()
        guard take("(") else { throw SelectorSyntaxError(message: "expected \"(\" after in/notin") }
        var values: [String] = []
        while true {
            skipSpaces()
            values.append(identifier())
            skipSpaces()
            if take(")") { return values }
            guard take(",") else { throw SelectorSyntaxError(message: "expected \",\" or \")\" in a value set") }
        }
    }

    /// Letters, digits and `-_./` (what label keys and values may contain).
    private mutating func identifier() -> String {
        var result = String.UnicodeScalarView()
        while let scalar = peek, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_./".unicodeScalars.contains(scalar) {
            result.append(scalar)
            position += 1
        }
        return String(result)
    }

    private var atEnd: Bool { position >= text.count }
    private var peek: Unicode.Scalar? { atEnd ? nil : text[position] }

    private mutating func take(_ token: String) -> Bool {
        let scalars = Array(token.unicodeScalars)
        guard position + scalars.count <= text.count, Array(text[position..<position + scalars.count]) == scalars else {
            return false
        }
        position += scalars.count
        return true
    }

    private mutating func skipSpaces() {
        while let scalar = peek, scalar == " " || scalar == "\t" { position += 1 }
    }
}
