/// A `v1 Status` object: what the API server sends instead of an object when something failed,
/// as an HTTP error body or as the object of a watch ERROR event.
public struct APIStatus: Hashable, Sendable, CustomStringConvertible {
    /// The HTTP status code it stands for (410 for an expired resourceVersion).
    public var code: Int?
    /// A CamelCase reason: `Expired`, `Gone`, `NotFound`, `Forbidden`, ...
    public var reason: String?
    public var message: String?

    public init(code: Int?, reason: String? = nil, message: String? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
    }

    /// Nil when `value` is not a Status object.
    init?(_ value: JSONValue) {
        guard value["kind"]?.stringValue == "Status" else { return nil }
        code = value["code"]?.integerValue
        reason = value["reason"]?.stringValue
        message = value["message"]?.stringValue
    }

    /// Whether the resourceVersion (or continue token) asked for is no longer available.
    var isGone: Bool { code == 410 || reason == "Expired" || reason == "Gone" }

    public var description: String {
        var text = "status \(code.map(String.init) ?? "?")"
        if let reason { text += " \(reason)" }
        if let message { text += ": \(message)" }
        return text
    }
}

/// One page of a LIST response (`PodList`, ...). Items carry no kind or apiVersion.
struct ListPage: Sendable {
    var resourceVersion: String
    /// Present when more pages follow; pass it back as `continue`.
    var continueToken: String?
    var items: [JSONValue]
}

/// One event of a watch stream: `{"type":"ADDED","object":{...}}`.
struct WatchEvent: Sendable {
    enum Kind: String, Sendable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
        case bookmark = "BOOKMARK"
        case error = "ERROR"
    }

    var kind: Kind
    var object: JSONValue
}

/// A response body that is not what the API server sends.
struct WireFormatError: Error, CustomStringConvertible {
    var description: String
}

/// Reads list pages and watch events from their JSON bytes.
enum WireDecoding {
    static func value(from bytes: some Collection<UInt8>) throws -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw WireFormatError(description: "\(error) (of \(bytes.count) bytes)")
        }
    }

    static func listPage(from bytes: some Collection<UInt8>, listKind: String) throws -> ListPage {
        let value = try value(from: bytes)
        guard case .object = value else { throw WireFormatError(description: "\(listKind): expected a JSON object") }
        guard let resourceVersion = value["metadata"]?["resourceVersion"]?.stringValue, !resourceVersion.isEmpty else {
            throw WireFormatError(description: "\(listKind): metadata.resourceVersion is missing")
        }
        let items: [JSONValue]
        switch value["items"] {
        case .array(let list)?: items = list
        case .null?, nil: items = []  // Go encodes an empty list as null
        default: throw WireFormatError(description: "\(listKind): items must be a list")
        }
        let continueToken = value["metadata"]?["continue"]?.stringValue
        return ListPage(
            resourceVersion: resourceVersion, continueToken: continueToken?.isEmpty == false ? continueToken : nil,
            items: items)
    }

    static func watchEvent(from line: some Collection<UInt8>) throws -> WatchEvent {
        let value = try value(from: line)
        guard let type = value["type"]?.stringValue else {
            throw WireFormatError(description: "watch event: type is missing")
        }
        guard let kind = WatchEvent.Kind(rawValue: type) else {
            throw WireFormatError(description: "watch event: unknown type \"\(type)\"")
        }
        guard let object = value["object"], case .object = object else {
            throw WireFormatError(description: "watch event \(type): object is missing")
        }
        return WatchEvent(kind: kind, object: object)
    }
}
