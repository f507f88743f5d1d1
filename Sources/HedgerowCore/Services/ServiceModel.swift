/// Something the service model left out or could not resolve, said out loud:
///
///     Service x/names: ExternalName service (a DNS alias), nothing to translate
public struct ServiceNote: Hashable, Sendable, CustomStringConvertible {
    public var object: ObjectReference
    public var message: String

    public init(object: ObjectReference, message: String) {
        self.object = object
        self.message = message
    }

    public var description: String { "\(object): \(message)" }
}

/// Every frontend this node translates, with its backends: what the service, backend, rev-NAT
/// and Maglev maps should hold. A value: build a new one when the cluster changes and apply
/// `diff(from:)` against the previous one.
public struct ServiceModel: Hashable, Sendable {
    public internal(set) var frontends: [FrontendKey: ServiceFrontend]
    /// What was ignored and why, in service order.
    public internal(set) var notes: [ServiceNote]

    public init(frontends: [ServiceFrontend] = [], notes: [ServiceNote] = []) {
        self.frontends = Dictionary(frontends.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        self.notes = notes
    }

    public subscript(key: FrontendKey) -> ServiceFrontend? { frontends[key] }

    /// Frontends ordered by key.
    public var sortedFrontends: [ServiceFrontend] { frontends.values.sorted { $0.key < $1.key } }

    /// The frontends of one service, ordered by key.
    public func frontends(of service: NamespacedName) -> [ServiceFrontend] {
        frontends.values.filter { $0.service == service }.sorted { $0.key < $1.key }
    }
}
