/// Splits a watch response body into events. The API server writes each event as one JSON
/// object followed by a newline; HTTP chunks need not line up with events, so bytes are kept
/// until their newline arrives. Bytes left when the stream ends are a cut-off event.
struct WatchStreamFraming {
    private var pending: [UInt8] = []

    /// The bytes of an event that has not been completed by its newline.
    var incompleteEvent: [UInt8] { pending }

    /// Appends a chunk and returns the complete, non-blank lines it finished.
    mutating func append(_ chunk: some Collection<UInt8>) -> [ArraySlice<UInt8>] {
        pending.append(contentsOf: chunk)
        guard let lastNewline = pending.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        let complete = pending[..<lastNewline]
        let lines = complete.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
            .filter { line in line.contains { !Self.isWhitespace($0) } }
            .map { ArraySlice($0) }
        pending.removeSubrange(...lastNewline)
        return lines
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
    }
}
