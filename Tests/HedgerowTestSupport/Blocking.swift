import Foundation

/// Runs blocking work (waiting for a child process, reading its pipes) on a thread of its own
/// instead of a thread of Swift's cooperative pool. That pool has one thread per core: two tests
/// blocked there on children that talk to an in-process gRPC server leave no thread for the
/// server to answer with, and all of them wait forever.
public func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
