import CLibBPFShim
import Glibc
import Synchronization

/// A tc filter this process attached (or adopted): a program at a priority/handle of a hook.
///
/// Lifetime: the filter is kernel state and outlives the process. This object removes it
/// deterministically: on `detach()`, or when the object is released while still attached.
/// An agent that hands the running datapath over to its next run (pinned maps, filters left
/// in place so enforcement continues while it restarts) calls `forget()` instead: the object
/// then leaves the filter alone, and the next run adopts it with
/// `TCHook.existingAttachment(priority:handle:)` or simply replaces it.
///
/// Detaching only removes the filter while it still runs *this* program (`programID`): a
/// filter replaced meanwhile by another attachment at the same priority/handle is left alone.
public final class TCAttachment: Sendable, CustomStringConvertible {
    public let hook: TCHook
    public let priority: UInt16
    public let handle: UInt32
    /// The kernel id of the attached program (compare with `BPFProgram.info().id`).
    public let programID: UInt32

    private enum State { case attached, detached, forgotten }
    private let state = Mutex(State.attached)

    init(hook: TCHook, priority: UInt16, handle: UInt32, programID: UInt32) {
        self.hook = hook
        self.priority = priority
        self.handle = handle
        self.programID = programID
    }

    deinit {
        if state.withLock({ $0 == .attached }) { _ = try? detach() }
    }

    public var description: String { "\(hook), priority \(priority), handle \(handle), program id \(programID)" }

    /// Whether the filter is still there and still runs this attachment's program.
    public func isAttached() throws -> Bool { try hook.query(priority: priority, handle: handle) == programID }

    /// Removes the filter if it still runs this attachment's program. Returns whether a filter
    /// was removed; false when it was gone or replaced already. Idempotent.
    @discardableResult
    public func detach() throws -> Bool {
        guard state.withLock({ $0 }) == .attached else { return false }
        guard try hook.query(priority: priority, handle: handle) == programID else {
            state.withLock { $0 = .detached }
            return false
        }
        let (status, log) = LibBPF.capturing {
            clibbpf_tc_detach(hook.ifindex, hook.direction.attachPoint, handle, UInt32(priority))
        }
        if status < 0, status != -ENOENT, hook.deviceExists {
            var error = hook.failure("detach tc filter", status, log: log)
            error.detail = description
            throw error
        }
        state.withLock { $0 = .detached }
        return status == 0
    }

    /// Leaves the filter attached for good: neither release nor `detach()` will remove it.
    public func forget() {
        state.withLock { if $0 == .attached { $0 = .forgotten } }
    }
}
