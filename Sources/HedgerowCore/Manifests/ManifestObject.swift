/// One object read from a manifest.
public enum ManifestObject: Hashable, Sendable {
    case namespace(Namespace)
    case pod(Pod)
    /// NetworkPolicy, CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy.
    case policy(PolicyObject)
    case service(Service)
    case endpointSlice(EndpointSlice)
    /// A kind Hedgerow does not know at all (Deployment, ConfigMap, ...): ignored with a warning.
    case unknown(ObjectReference, apiVersion: String)

    public var reference: ObjectReference {
        switch self {
        case .namespace(let namespace): ObjectReference(kind: "Namespace", name: namespace.name)
        case .pod(let pod): ObjectReference(kind: "Pod", namespace: pod.namespace, name: pod.name)
        case .policy(let policy): policy.reference
        case .service(let service): ObjectReference(kind: "Service", namespace: service.namespace, name: service.name)
        case .endpointSlice(let slice):
            ObjectReference(kind: "EndpointSlice", namespace: slice.namespace, name: slice.name)
        case .unknown(let reference, _): reference
        }
    }
}

/// Where an object came from: a file and the 1-based document in it.
public struct ManifestSource: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var file: String
    public var document: Int

    public init(file: String, document: Int) {
        self.file = file
        self.document = document
    }

    public static func < (lhs: ManifestSource, rhs: ManifestSource) -> Bool {
        (lhs.file, lhs.document) < (rhs.file, rhs.document)
    }

    public var description: String { "\(file) doc \(document)" }
}

/// An object and where it came from. A `v1 List` document yields one item per list entry,
/// all with the list's document number.
public struct ManifestItem: Hashable, Sendable {
    public var source: ManifestSource
    public var object: ManifestObject

    public init(source: ManifestSource, object: ManifestObject) {
        self.source = source
        self.object = object
    }
}

/// Everything read from one manifest file. A document with any error contributes no object;
/// the others still do, so that every problem of a file set can be reported at once.
public struct ParsedManifest: Hashable, Sendable {
    public var file: String
    public var items: [ManifestItem]
    public var warnings: [ManifestWarning]
    public var errors: [ManifestError]

    /// Reads a multi-document YAML (or JSON) file. `file` only names the file in messages.
    public static func parse(file: String, contents: String) -> ParsedManifest {
        var parsed = ParsedManifest(file: file, items: [], warnings: [], errors: [])
        let (documents, syntaxError) = YAMLDocuments.read(contents)
        for document in documents where !document.isEmpty {
            parsed.add(document)
        }
        if let syntaxError {
            parsed.errors.append(
                ManifestError(file: file, line: syntaxError.line, column: syntaxError.column, message: syntaxError.message))
        }
        return parsed
    }

    private mutating func add(_ document: YAMLDocuments.Document) {
        let source = ManifestSource(file: file, document: document.index)
        let outcomes: [ManifestDecoding.Outcome]
        if document.issues.isEmpty {
            outcomes = ManifestDecoding.decode(document: document.value)
        } else {
            outcomes = [.failed(ManifestDecoding.bestEffortReference(document.value, at: .root), document.issues)]
        }
        for outcome in outcomes {
            switch outcome {
            case .decoded(let object):
                items.append(ManifestItem(source: source, object: object))
                if let message = Self.warning(for: object) {
                    warnings.append(
                        ManifestWarning(file: file, document: document.index, object: object.reference, message: message))
                }
            case .failed(let reference, let issues):
                errors += issues.map {
                    ManifestError(
                        file: file, document: document.index, object: reference, field: $0.path.description,
                        message: $0.message)
                }
            }
        }
    }

    private static func warning(for object: ManifestObject) -> String? {
        switch object {
        case .namespace, .pod, .policy, .service, .endpointSlice: nil
        case .unknown(let reference, let apiVersion):
            "kind \(reference.kind) (\(apiVersion)) is not known to Hedgerow, ignored"
        }
    }
}
