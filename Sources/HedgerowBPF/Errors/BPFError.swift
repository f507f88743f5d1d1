import Glibc

/// An error from this module: which operation failed, on which object, program, map or path,
/// the errno (with its message) when the kernel or libbpf refused, and what libbpf said.
public struct BPFError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A syscall or libbpf call failed; `errno` says why.
        case system
        /// The verifier refused a program; `verifierLog` says why.
        case verifierRejected
        /// A typed view does not fit the map: key or value sizes differ.
        case sizeMismatch
        /// No program or map of that name, or a map of the wrong kind.
        case notFound
        /// The handle was closed before this use.
        case closed
        /// The caller passed something that cannot work (e.g. a wrong number of per-CPU values).
        case invalidArgument
    }

    public var kind: Kind
    /// What was being done, e.g. "load object", "update element", "attach tc filter".
    public var operation: String
    /// The errno reported by the kernel or libbpf; 0 when the error is not a system error.
    public var errno: Int32
    public var objectName: String?
    public var programName: String?
    public var mapName: String?
    /// A file system path involved (object file, pin path, cgroup).
    public var path: String?
    /// A sentence with what the numbers above do not say.
    public var detail: String?
    /// The verifier's log for the program that failed to load (the tail, when it was long).
    public var verifierLog: String?
    /// What libbpf printed during the failing call (the tail, when it was long).
    public var libbpfLog: String?

    public init(
        kind: Kind, operation: String, errno: Int32 = 0, objectName: String? = nil, programName: String? = nil,
        mapName: String? = nil, path: String? = nil, detail: String? = nil, verifierLog: String? = nil,
        libbpfLog: String? = nil
    ) {
        self.kind = kind
        self.operation = operation
        self.errno = errno
        self.objectName = objectName
        self.programName = programName
        self.mapName = mapName
        self.path = path
        self.detail = detail
        self.verifierLog = verifierLog
        self.libbpfLog = libbpfLog
    }

    /// A failed syscall or libbpf call. Accepts libbpf's negative return values as well.
    static func system(_ operation: String, errno: Int32, mapName: String? = nil, programName: String? = nil,
                       path: String? = nil, libbpfLog: String? = nil) -> BPFError {
        BPFError(kind: .system, operation: operation, errno: abs(errno), programName: programName, mapName: mapName,
                 path: path, libbpfLog: libbpfLog?.nonEmpty)
    }

    static func closed(_ operation: String, mapName: String? = nil, programName: String? = nil) -> BPFError {
        BPFError(kind: .closed, operation: operation, programName: programName, mapName: mapName,
                 detail: "the handle was closed")
    }

    /// The same error about another operation and errno (used when a follow-up step fails).
    func with(errno: Int32, operation: String) -> BPFError {
        var copy = self
        copy.kind = .system
        copy.errno = abs(errno)
        copy.operation = operation
        copy.detail = nil
        return copy
    }

    /// The C library's message for `errno` ("Permission denied"), or nil when there is no errno.
    public var errnoMessage: String? {
        guard errno != 0 else { return nil }
        // 524 is the kernel-internal ENOTSUPP, which leaks out of the bpf() syscall.
        if errno == 524 { return "Operation not supported by this map or program type" }
        return String(cString: strerror(errno))
    }

    /// How many verifier log lines `description` shows; the full log is in `verifierLog`.
    public static let describedVerifierLines = 25

    public var description: String {
        var text = "\(operation) failed"
        var subjects: [String] = []
        if let objectName { subjects.append("object '\(objectName)'") }
        if let programName { subjects.append("program '\(programName)'") }
        if let mapName { subjects.append("map '\(mapName)'") }
        if let path { subjects.append("path \(path)") }
        if !subjects.isEmpty { text += " (" + subjects.joined(separator: ", ") + ")" }
        if let errnoMessage { text += ": \(errnoMessage) (errno \(errno))" }
        if let detail { text += (errnoMessage == nil ? ": " : "; ") + detail }
        if let verifierLog, !verifierLog.isEmpty {
            let lines = verifierLog.split(separator: "\n", omittingEmptySubsequences: false)
            let shown = lines.suffix(Self.describedVerifierLines)
            let heading = shown.count < lines.count ? "verifier log (last \(shown.count) lines)" : "verifier log"
            text += "\n\(heading):\n" + shown.joined(separator: "\n")
        } else if let libbpfLog, !libbpfLog.isEmpty {
            text += "\n" + libbpfLog.trimmingTrailingNewlines
        }
        return text
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
    var trimmingTrailingNewlines: String {
        var text = Substring(self)
        while text.last == "\n" { text = text.dropLast() }
        return String(text)
    }
}
