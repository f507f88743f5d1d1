import Foundation
import Synchronization

/// What the benchmark put on the machine, undone in reverse order: at the end, on an error,
/// and on SIGINT/SIGTERM (a signal handler runs the same list, then exits).
final class Cleanup: Sendable {
    static let shared = Cleanup()

    private let actions = Mutex<[(id: Int, name: String, action: @Sendable () -> Void)]>([])
    private let nextID = Atomic<Int>(0)
    /// Set by a signal: nothing is registered any more, only undone.
    private let stopping = Atomic<Bool>(false)

    /// Registers `action`; returns a token that `run(_:)` takes to undo just this one early.
    @discardableResult
    func add(_ name: String, _ action: @escaping @Sendable () -> Void) -> Int {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let accepted = actions.withLock { list in
            guard !stopping.load(ordering: .relaxed) else { return false }
            list.append((id, name, action))
            return true
        }
        // After a signal the main thread may still be creating things: undo them at once.
        if !accepted { action() }
        return id
    }

    /// Runs (and forgets) one registered action now.
    func run(_ id: Int) {
        let action = actions.withLock { list -> (@Sendable () -> Void)? in
            guard let index = list.firstIndex(where: { $0.id == id }) else { return nil }
            return list.remove(at: index).action
        }
        action?()
    }

    /// Runs every registered action and undoes anything registered from now on.
    func stop() {
        let pending = actions.withLock { list in
            stopping.store(true, ordering: .relaxed)
            defer { list.removeAll() }
            return list
        }
        for entry in pending.reversed() { entry.action() }
    }

    /// Runs every registered action, newest first.
    func runAll() {
        let pending = actions.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for entry in pending.reversed() { entry.action() }
    }

    /// On SIGINT or SIGTERM: clean up, then exit with 128 + the signal. The handler only
    /// writes the signal number into a pipe (all a signal handler may safely do); a thread
    /// reading the pipe does the cleaning.
    func installSignalHandlers() {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        signalPipe = fds[1]
        let reader = fds[0]
        Thread {
            var signalNumber: Int32 = 0
            while read(reader, &signalNumber, MemoryLayout<Int32>.size) < 0 && errno == EINTR {}
            FileHandle.standardError.write(Data("\nbench-kube-proxy: signal \(signalNumber), cleaning up\n".utf8))
            Cleanup.shared.stop()
            // _exit: the main thread is still running; exit() would run destructors under it.
            _exit(128 + signalNumber)
        }.start()
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber) { number in
                var number = number
                _ = write(signalPipe, &number, MemoryLayout<Int32>.size)
            }
        }
    }
}

/// The write end of the signal pipe (set once before the handlers are installed).
nonisolated(unsafe) private var signalPipe: Int32 = -1
