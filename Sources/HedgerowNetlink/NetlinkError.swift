#if canImport(Glibc)
import Glibc
#endif

/// A failed netlink operation: what was being done, the errno the kernel (or libmnl) reported,
/// and the kernel's own explanation when it sent one (extended ACK).
public struct NetlinkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was being done, naming the object: "get link 'eth0' (RTM_GETLINK)".
    public let operation: String
    /// The errno value (positive), e.g. `ENODEV`, `EPERM`, `ENOBUFS`.
    public let errno: Int32
    /// The kernel's extended-ACK message, e.g. "Unknown device type", when it sent one.
    public let kernelMessage: String?

    public init(operation: String, errno: Int32, kernelMessage: String? = nil) {
        self.operation = operation
        self.errno = errno
        self.kernelMessage = kernelMessage
    }

    /// True when the object the operation named does not exist (`ENODEV`, `ENOENT`).
    public var isNotFound: Bool { errno == ENODEV || errno == ENOENT }

    /// The C library's text for `errno`.
    public var errnoText: String { String(cString: strerror(errno)) }

    public var description: String {
        var text = "\(operation): \(errnoText) (errno \(errno))"
        if let kernelMessage, !kernelMessage.isEmpty { text += ": kernel says \"\(kernelMessage)\"" }
        return text
    }
}
