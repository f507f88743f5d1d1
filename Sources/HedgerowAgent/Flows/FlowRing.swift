import HedgerowCore
import Synchronization

/// What the flow ring holds and readers receive: a flow, or a record of events that were lost
/// before they became flows. Indirect, so that a ring slot is one pointer: a Flow inline is
/// ~350 bytes, and a 65,535-slot ring paid 23 MB before its first flow (Hubble's ring, too,
/// holds pointers).
public indirect enum FlowStoreEvent: Sendable, Hashable {
    case flow(Flow)
    case lost(LostEvent, time: FlowTimestamp)

    public var time: FlowTimestamp {
        switch self {
        case .flow(let flow): flow.time
        case .lost(_, let time): time
        }
    }
}

/// A fixed-size ring of the most recent events, addressed by sequence number (the count of
/// events written before). One mutex guards it; it is held only to copy a slot in or a batch of
/// slots out, so the writer never waits for a reader's filtering or I/O, and readers that fall
/// behind simply find their events overwritten (and say so) instead of holding the writer back.
final class FlowRing: Sendable {
    /// Events readable at once (Hubble's 2^n - 1).
    let capacity: Int
    private let mask: UInt64
    private let state: Mutex<State>

    private struct State {
        var slots: [FlowStoreEvent?]
        /// Sequence number of the next event; events [written - capacity, written) are readable.
        var written: UInt64 = 0
        var seenFlows: UInt64 = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiterID = 0
    }

    /// `capacity + 1` must be a power of two.
    init(capacity: Int) {
        precondition(capacity > 0 && (capacity + 1) & capacity == 0, "ring capacity must be 2^n - 1")
        self.capacity = capacity
        mask = UInt64(capacity)
        state = Mutex(State(slots: Array(repeating: nil, count: capacity + 1)))
    }

    /// Appends an event; `stamp` may complete it with its sequence number (flow uuids).
    /// Never blocks on readers: waiting readers are woken after the lock is released.
    func append(_ event: FlowStoreEvent, stamp: (inout FlowStoreEvent, UInt64) -> Void) {
        let wake = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            var event = event
            let sequence = state.written
            stamp(&event, sequence)
            if case .flow = event { state.seenFlows += 1 }
            state.slots[Int(sequence & mask)] = event
            state.written = sequence + 1
            guard !state.waiters.isEmpty else { return [] }
            defer { state.waiters.removeAll(keepingCapacity: true) }
            return Array(state.waiters.values)
        }
        for continuation in wake { continuation.resume() }
    }

    struct Counts: Sendable {
        var written: UInt64
        var held: Int
        var seenFlows: UInt64
    }

    var counts: Counts {
        state.withLock { Counts(written: $0.written, held: Int(min($0.written, UInt64(capacity))), seenFlows: $0.seenFlows) }
    }

    /// Sequence number of the next event to be written.
    var head: UInt64 { state.withLock { $0.written } }

    struct ForwardRead {
        var events: [FlowStoreEvent]
        /// Sequence number of `events[0]` (or where reading stopped when empty).
        var first: UInt64
        /// Events between the requested start and `first` that were overwritten.
        var missed: UInt64
    }

    /// Up to `limit` events from sequence `start` on, never past `end`.
    func read(from start: UInt64, limit: Int, end: UInt64 = .max) -> ForwardRead {
        state.withLock { state in
            let oldest = state.written > UInt64(capacity) ? state.written - UInt64(capacity) : 0
            let first = max(start, oldest)
            let stop = min(state.written, end, first &+ UInt64(limit))
            var events: [FlowStoreEvent] = []
            if stop > first {
                events.reserveCapacity(Int(stop - first))
                for sequence in first..<stop { events.append(state.slots[Int(sequence & mask)]!) }
            }
            return ForwardRead(events: events, first: first, missed: first > start ? first - start : 0)
        }
    }

    /// Up to `limit` events just before sequence `end`, oldest first; `first` is the sequence
    /// number of the first of them (equal to `end` when nothing before it is readable).
    func read(before end: UInt64, limit: Int) -> (events: [FlowStoreEvent], first: UInt64) {
        state.withLock { state in
            let oldest = state.written > UInt64(capacity) ? state.written - UInt64(capacity) : 0
            let stop = min(end, state.written)
            guard stop > oldest else { return ([], max(oldest, min(end, state.written))) }
            let first = max(oldest, stop > UInt64(limit) ? stop - UInt64(limit) : 0)
            return ((first..<stop).map { state.slots[Int($0 & mask)]! }, first)
        }
    }

    /// Sequence number of the oldest readable event.
    var oldest: UInt64 {
        state.withLock { $0.written > UInt64(capacity) ? $0.written - UInt64(capacity) : 0 }
    }

    /// Returns once an event with sequence number `sequence` exists, or the task is cancelled.
    func waitForEvent(_ sequence: UInt64) async {
        let id = state.withLock { state -> Int in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    // Checked under the lock: a cancel or a write that happened first is seen here,
                    // one that happens later finds the continuation registered.
                    if state.written > sequence || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
