/// Finds the verifier's log in what libbpf printed while loading an object.
///
/// When a program fails to load, libbpf retries it with logging on and prints
/// `prog 'NAME': -- BEGIN PROG LOAD LOG --` … `-- END PROG LOAD LOG --` as one warning. The
/// capture keeps only the tail of the messages, which may have cut the start marker: the
/// failing instruction is at the end of the log, so the tail is the part worth keeping.
public struct VerifierLogExtract: Sendable, Equatable {
    /// The program whose log this is, when libbpf named it.
    public var programName: String?
    /// The log text between the markers (or from the start of the capture to the end marker).
    public var log: String

    static let beginMarker = "-- BEGIN PROG LOAD LOG --"
    static let endMarker = "-- END PROG LOAD LOG --"

    /// The last program load log in `libbpfOutput`, or nil when there is none.
    public init?(libbpfOutput: String) {
        let text = Substring(libbpfOutput)
        let begin = text.ranges(of: Self.beginMarker).last
        let searchEndFrom = begin?.upperBound ?? text.startIndex
        guard let end = text[searchEndFrom...].firstRange(of: Self.endMarker) ?? (begin == nil ? nil : text.endIndex..<text.endIndex) else {
            return nil
        }
        var body = text[(begin?.upperBound ?? text.startIndex)..<end.lowerBound]
        if body.first == "\n" { body = body.dropFirst() }
        log = String(body).trimmingTrailingNewlines
        programName = begin.flatMap { Self.programName(before: $0.lowerBound, in: text) }
            ?? Self.failedProgramName(in: text)
    }

    /// `prog 'NAME': ` just before the marker on the same line.
    private static func programName(before index: Substring.Index, in text: Substring) -> String? {
        let lineStart = text[..<index].lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
        return quotedName(after: "prog '", in: text[lineStart..<index])
    }

    /// libbpf's `prog 'NAME': BPF program load failed` (or `failed to load`), the last one.
    private static func failedProgramName(in text: Substring) -> String? {
        for line in text.split(separator: "\n").reversed() where line.contains("failed") {
            if let name = quotedName(after: "prog '", in: line) { return name }
        }
        return nil
    }

    private static func quotedName(after prefix: String, in text: Substring) -> String? {
        guard let start = text.ranges(of: prefix).last?.upperBound,
              let close = text[start...].firstIndex(of: "'") else { return nil }
        return String(text[start..<close])
    }
}
