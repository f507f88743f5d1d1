/// A lab file (or pod file) that cannot be used: where the problem is and what it is.
///
/// `location` is "FILE:LINE:COLUMN" when the YAML parser knows it, else the file name;
/// `path` is the field path inside the document, e.g. `pods[2].ports[0].containerPort`.
public struct LabFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public let location: String
    public let path: String
    public let reason: String

    public init(location: String, path: String, reason: String) {
        self.location = location
        self.path = path
        self.reason = reason
    }

    public var description: String {
        path.isEmpty ? "\(location): \(reason)" : "\(location): \(path): \(reason)"
    }
}

/// A failure while building, changing or tearing down a running lab.
public struct LabError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
