import Foundation
import HedgerowTestSupport
import Synchronization

/// Runs `body` on a thread of its own that has joined `namespace`'s network namespace (tc
/// attachments and `if_nametoindex` act on the calling thread's namespace), and waits for it.
/// The thread ends with `body`, so the switch never leaks to other work.
func inNetworkNamespace<T: Sendable>(_ namespace: TestNamespace, _ body: @escaping @Sendable () throws -> T) throws -> T {
    let outcome = Mutex<Result<T, any Error>?>(nil)
    let finished = DispatchSemaphore(value: 0)
    let thread = Thread {
        defer { finished.signal() }
        let result = Result { () throws -> T in
            let descriptor = open("/run/netns/\(namespace.name)", O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw TestEnvironmentError("open /run/netns/\(namespace.name): errno \(errno)") }
            defer { close(descriptor) }
            guard joinNetworkNamespace(descriptor) == 0 else { throw TestEnvironmentError("setns \(namespace.name): errno \(errno)") }
            return try body()
        }
        outcome.withLock { $0 = result }
    }
    thread.start()
    finished.wait()
    return try outcome.withLock { $0! }.get()
}

/// setns(fd, CLONE_NEWNET), looked up at run time: Swift's Glibc module leaves the GNU-only call out.
private func joinNetworkNamespace(_ descriptor: Int32) -> Int32 {
    typealias SetNamespace = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else { return -1 }
    return unsafeBitCast(symbol, to: SetNamespace.self)(descriptor, 0x4000_0000)
}
