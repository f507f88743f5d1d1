import Glibc

/// One file descriptor owned by one Swift object: closed by `close()` or, at the latest,
/// when the owner is deinitialised.
///
/// Operations run under a shared (read) lock and `close()` takes the exclusive lock, so a
/// descriptor is never closed while a syscall is using it, nor used after it was closed
/// (that would silently hit whatever file reused the number). Operations on one descriptor
/// still run concurrently with each other.
final class OwnedFileDescriptor: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>
    private var descriptor: Int32

    /// Takes ownership of `descriptor`.
    init(_ descriptor: Int32) {
        self.descriptor = descriptor
        lock = .allocate(capacity: 1)
        pthread_rwlock_init(lock, nil)
    }

    deinit {
        close()
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    var isClosed: Bool {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return descriptor < 0
    }

    /// Runs `body` with the open descriptor, which must not escape it; throws `closedError()`
    /// when the descriptor was closed already.
    func withDescriptor<R>(orThrow closedError: @autoclosure () -> BPFError, _ body: (Int32) throws -> R) throws -> R {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        guard descriptor >= 0 else { throw closedError() }
        return try body(descriptor)
    }

    /// A new descriptor for the same kernel object, owned by the caller.
    func duplicate(orThrow closedError: @autoclosure () -> BPFError) throws -> Int32 {
        try withDescriptor(orThrow: closedError()) { fd in
            let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
            guard copy >= 0 else { throw closedError().with(errno: errno, operation: "duplicate file descriptor") }
            return copy
        }
    }

    /// Closes the descriptor; later calls and later operations see it closed. Idempotent.
    func close() {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        if descriptor >= 0 {
            _ = Glibc.close(descriptor)
            descriptor = -1
        }
    }
}
