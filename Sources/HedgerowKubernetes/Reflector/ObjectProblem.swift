import HedgerowCore

/// Something wrong with one object the API server sent, named as precisely as the manifest
/// decoders can: `Pod x/a: spec.containers[0].ports[0].containerPort: 70000 is not a valid port`.
public struct ObjectProblem: Hashable, Sendable, CustomStringConvertible {
    public var object: ObjectReference
    /// The field path inside the object, when the problem is one field's.
    public var field: String?
    public var message: String

    public init(object: ObjectReference, field: String? = nil, message: String) {
        self.object = object
        self.field = field
        self.message = message
    }

    public var description: String {
        "\(object): " + (field.map { $0.isEmpty ? "" : $0 + ": " } ?? "") + message
    }
}

/// The problems of one rejected version of an object, and whether an older version is kept.
public struct ObjectProblems: Hashable, Sendable, CustomStringConvertible {
    public var object: ObjectReference
    public var problems: [ObjectProblem]
    /// Whether a last good version of the object stays in force.
    public var keptLastGood: Bool

    public var description: String {
        let outcome = keptLastGood ? "keeping its last good version" : "ignored until a good version arrives"
        return "\(object) rejected (\(outcome)): " + problems.map(\.description).joined(separator: "; ")
    }
}
