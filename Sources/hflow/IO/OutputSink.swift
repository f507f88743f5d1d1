import Foundation

/// Buffered writes to a file descriptor. A reader that went away (`hflow observe | head`) is
/// not an error for hflow: on EPIPE the process exits quietly with status 0.
final class OutputSink {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let limit: Int

    init(descriptor: Int32 = STDOUT_FILENO, limit: Int = 64 * 1024) {
        self.descriptor = descriptor
        self.limit = limit
        buffer.reserveCapacity(limit)
    }

    func write(_ text: String) {
        guard !text.isEmpty else { return }
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= limit { flush() }
    }

    func flush() {
        var offset = 0
        while offset < buffer.count {
            let written = buffer[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { Foundation.exit(ExitStatus.success) }
                break  // nothing sensible left to report to
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
