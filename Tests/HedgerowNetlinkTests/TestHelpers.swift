import Foundation
import HedgerowNetlink
import HedgerowTestSupport

/// A veth pair with both ends in the current (root) namespace, removed by `destroy()`.
struct RootVethPair {
    let name: String
    let peerName: String

    init() throws {
        name = UniqueName.make("hrn")
        peerName = UniqueName.make("hrnp")
        try Shell.run("ip", "link", "add", name, "type", "veth", "peer", "name", peerName)
    }

    var index: Int32 { Int32(if_nametoindex(name)) }
    var peerIndex: Int32 { Int32(if_nametoindex(peerName)) }

    func destroy() { _ = try? Shell.capture(["ip", "link", "delete", name]) }
}

/// Runs `body` on a fresh thread that has joined `namespace`'s network namespace, and waits for
/// it. The thread ends with `body`, so the namespace switch never leaks to other work.
func onThread<T: Sendable>(in namespace: TestNamespace, _ body: @escaping @Sendable () throws -> T) throws -> T {
    let outcome = OutcomeBox<T>()
    let finished = DispatchSemaphore(value: 0)
    let thread = Thread {
        defer { finished.signal() }
        outcome.set(Result {
            let descriptor = open("/run/netns/\(namespace.name)", O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw TestEnvironmentError("open /run/netns/\(namespace.name): errno \(errno)") }
            defer { close(descriptor) }
            guard enterNetworkNamespace(descriptor) == 0 else { throw TestEnvironmentError("setns \(namespace.name): errno \(errno)") }
            return try body()
        })
    }
    thread.start()
    finished.wait()
    return try outcome.get()
}

/// setns(fd, CLONE_NEWNET). Swift's Glibc module leaves out the GNU-only setns(2), so it is
/// looked up at run time.
private func enterNetworkNamespace(_ descriptor: Int32) -> Int32 {
    typealias SetNamespace = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else { return -1 }  // RTLD_DEFAULT
    let cloneNewNet: Int32 = 0x4000_0000
    return unsafeBitCast(symbol, to: SetNamespace.self)(descriptor, cloneNewNet)
}

/// Runs `body` over and over on a thread of its own until `stop()`, which returns how many
/// times it ran, or throws the first error it threw.
final class RepeatedOnThread: @unchecked Sendable {
    private let lock = NSLock()
    private var stopRequested = false
    private var runs = 0
    private var failure: (any Error)?
    private let finished = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () throws -> Void) {
        Thread { [self] in
            defer { finished.signal() }
            while !lock.withLock({ stopRequested }) {
                do { try body() } catch {
                    lock.withLock { failure = error }
                    return
                }
                lock.withLock { runs += 1 }
            }
        }.start()
    }

    func stop() throws -> Int {
        lock.withLock { stopRequested = true }
        finished.wait()
        return try lock.withLock {
            if let failure { throw failure }
            return runs
        }
    }
}

private final class OutcomeBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, any Error>?
    func set(_ value: Result<T, any Error>) { lock.withLock { result = value } }
    func get() throws -> T { try lock.withLock { result! }.get() }
}

/// Reads `events` until `isComplete` holds for what was read, or the stream ends, within
/// `timeout`: a broken subscription fails the test instead of hanging it. Consuming ends the
/// subscription (its task is cancelled), so each subscription is read once.
func collect(
    _ events: LinkEvents, timeout: Duration = .seconds(30),
    until isComplete: @escaping @Sendable ([LinkEvent]) -> Bool
) async throws -> [LinkEvent] {
    try await withThrowingTaskGroup(of: [LinkEvent]?.self) { group in
        group.addTask {
            var seen: [LinkEvent] = []
            for try await event in events {
                seen.append(event)
                if isComplete(seen) { break }
            }
            return seen
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let seen = first else {
            throw TestEnvironmentError("timed out after \(timeout) waiting for link events")
        }
        return seen
    }
}

/// Awaits `operation` for at most `timeout`; throws when it takes longer.
func within<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TestEnvironmentError("did not finish within \(timeout)")
        }
        return value
    }
}

extension LinkEvent {
    func isAdded(named name: String) -> Bool {
        if case .added(let link) = self { return link.name == name }
        return false
    }

    func isRemoved(named name: String) -> Bool {
        if case .removed(_, let removed) = self { return removed == name }
        return false
    }
}
