import HedgerowCore

/// One reader's position in the flow store, handing out events in batches. History (the stored
/// flows a query selects) comes first, then, when following, new events as they are written.
/// Filtering happens here, outside the ring's lock. When the writer overwrote events this reader
/// had not read yet, the next batch starts with a lost event (source HUBBLE_RING_BUFFER) that
/// counts them; the writer is never slowed down for a reader.
public struct FlowCursor: Sendable {
    static let batchSize = 1024

    private let store: FlowStore
    private let query: FlowQuery
    private enum Phase {
        /// Replaying stored events from `next` up to (not including) `end`; `remaining` counts
        /// flows still wanted in `first` mode.
        case history(next: UInt64, end: UInt64, remaining: UInt64?)
        case follow(next: UInt64)
        case done
    }
    private var phase: Phase = .done

    /// The position is taken now: flows written after this call are new to this reader.
    init(store: FlowStore, query: FlowQuery) {
        self.store = store
        self.query = query
        phase = startingPhase()
    }

    /// The next non-empty batch, or nil at the end (or when the task is cancelled while
    /// following).
    public mutating func next() async -> [FlowStoreEvent]? {
        while true {
            switch phase {
            case .history(let next, let end, let remaining):
                guard next < end, remaining != 0 else {
                    phase = query.follow && !query.first ? .follow(next: end) : .done
                    continue
                }
                let read = store.ring.read(from: next, limit: Self.batchSize, end: end)
                // Events overwritten past `end` are the follow phase's to report.
                var batch = lostRecord(min(read.missed, end - next))
                var left = remaining
                var consumed = 0
                for event in read.events {
                    consumed += 1
                    if accept(event, into: &batch), left != nil { left! -= 1 }
                    if left == 0 { break }
                }
                let resume = read.events.isEmpty ? end : read.first + UInt64(consumed)
                phase = .history(next: resume, end: end, remaining: left)
                if !batch.isEmpty { return batch }
            case .follow(let next):
                let read = store.ring.read(from: next, limit: Self.batchSize)
                if read.events.isEmpty && read.missed == 0 {
                    await store.ring.waitForEvent(next)
                    if Task.isCancelled {
                        phase = .done
                        return nil
                    }
                    continue
                }
                var batch = lostRecord(read.missed)
                phase = .follow(next: read.first + UInt64(read.events.count))
                for event in read.events {
                    if let until = query.until, event.time > until {
                        phase = .done
                        break
                    }
                    _ = accept(event, into: &batch)
                }
                if !batch.isEmpty { return batch }
            case .done:
                return nil
            }
        }
    }

    /// Where history starts and ends, decided once, against the ring as it is now.
    private func startingPhase() -> Phase {
        let end = store.ring.head
        let oldest = store.ring.oldest
        if query.first {
            return .history(next: oldest, end: end, remaining: query.number == 0 ? nil : query.number)
        }
        if query.number == 0 {
            let newOnly = query.follow && query.since == nil && query.until == nil
            return .history(next: newOnly ? end : oldest, end: end, remaining: nil)
        }
        return .history(next: startOfLast(query.number, before: end), end: end, remaining: nil)
    }

    /// Walks back from `end` until `count` selected flows lie between the result and `end`.
    private func startOfLast(_ count: UInt64, before end: UInt64) -> UInt64 {
        var found: UInt64 = 0
        var cursor = end
        while true {
            let (events, first) = store.ring.read(before: cursor, limit: Self.batchSize)
            if events.isEmpty { return cursor }
            for (offset, event) in events.enumerated().reversed() {
                guard case .flow(let flow) = event else { continue }
                if let since = query.since, flow.time < since { return first + UInt64(offset) + 1 }
                if query.selects(flow) {
                    found += 1
                    if found == count { return first + UInt64(offset) }
                }
            }
            cursor = first
        }
    }

    /// Adds the event to `batch` when the query wants it; returns true for an added flow.
    private func accept(_ event: FlowStoreEvent, into batch: inout [FlowStoreEvent]) -> Bool {
        switch event {
        case .flow(let flow):
            guard query.selects(flow) else { return false }
            batch.append(event)
            return true
        case .lost(_, let time):
            if query.inTimeRange(time) { batch.append(event) }
            return false
        }
    }

    private func lostRecord(_ missed: UInt64) -> [FlowStoreEvent] {
        guard missed > 0 else { return [] }
        store.recordClientLost(missed)
        return [.lost(LostEvent(source: .hubbleRingBuffer, count: missed), time: FlowClock.now())]
    }
}
