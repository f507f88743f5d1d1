import Dispatch
import HedgerowBPF
import Synchronization

/// Waits until every BPF program that was running has finished.
///
/// The kernel answers an update of a map-in-map only after an RCU grace period (it waits so that
/// user space knows no program still uses the old inner map), and tc programs run inside RCU
/// read-side sections. So writing the same inner map into `hedgerow_sync_barrier` is a barrier:
/// when it returns, no program that started before it is still running. The kernel's own BPF
/// selftests trigger synchronize_rcu() this way.
///
/// A grace period takes milliseconds, so barriers run in the background after each policy
/// switch (`afterSwitch`), and a later sync only waits when the one it needs has not finished.
final class SyncBarrier: Sendable {
    private let outer: BPFMap<UInt32, UInt32>
    private let slot: BPFMapHandle
    private let queue = DispatchQueue(label: "hedgerow.policy-barrier")
    /// Barriers started and finished, counted; a barrier's number is its place in that count.
    private let started = Atomic<UInt64>(0)
    private let finished = Atomic<UInt64>(0)

    init(outer: BPFMap<UInt32, UInt32>, slot: BPFMapHandle) {
        self.outer = outer
        self.slot = slot
    }

    /// A mark for "now": programs that started before it are gone once `isPast(mark)`.
    func mark() -> UInt64 { started.load(ordering: .acquiring) }

    func isPast(_ mark: UInt64) -> Bool { finished.load(ordering: .acquiring) > mark }

    /// Starts a barrier in the background (after a switch, so that the next sync rarely waits).
    func afterSwitch() {
        queue.async { [self] in try? run() }
    }

    /// Returns once every program that started before `mark` has finished: at once when a
    /// barrier begun after the mark already finished, else after the queued one (or a new one).
    func wait(past mark: UInt64) throws {
        if isPast(mark) { return }
        try queue.sync {
            if !isPast(mark) { try run() }
        }
    }

    /// One barrier, on the queue.
    private func run() throws {
        let number = started.add(1, ordering: .acquiringAndReleasing).newValue
        try slot.withDescriptor(operation: "policy sync barrier") { descriptor in
            try outer.update(0, UInt32(bitPattern: descriptor))
        }
        finished.store(number, ordering: .releasing)
    }
}
