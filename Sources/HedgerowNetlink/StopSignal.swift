import CLibMNLShim
import Glibc
import Synchronization

/// A one-way "stop" flag that also wakes a thread blocked in poll(2).
///
/// Owns one eventfd, closed in `deinit`: whoever may still signal (or poll) holds a reference,
/// so the descriptor cannot be closed under them.
final class StopSignal: Sendable {
    private let requested = Atomic<Bool>(false)
    /// Readable once a stop was requested; poll it next to the descriptor being waited on.
    let descriptor: Int32

    init(operation: String) throws(NetlinkError) {
        let descriptor = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard descriptor >= 0 else { throw NetlinkError(operation: "\(operation): eventfd", errno: errno) }
        self.descriptor = descriptor
    }

    deinit { Glibc.close(descriptor) }

    var isRequested: Bool { requested.load(ordering: .acquiring) }

    /// Requests the stop; only the first call writes to the eventfd.
    func request() {
        guard !requested.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var one: UInt64 = 1
        _ = write(descriptor, &one, MemoryLayout<UInt64>.size)
    }
}
