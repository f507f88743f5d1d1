import HedgerowCore

/// One reader's position in the flow store, handing out events in batches. History (the stored
/// flows a query selects) comes first, then, when following, new events as they are written.
/// Filtering happens here, outside the ring's lock. When the writer overwrote events this reader
/// had not read yet, the next batch starts with a lost event (source HUBBLE_RING_BUFFER) that
/// counts them; the writer is never slowed down for a reader.
///
/// With a flow history (the on-disk log), flows older than the ring come first: the history
/// part is cut at the earliest time the ring holds (`FlowHistorySeam`), so that the two never
/// overlap and time order holds across the seam.
public struct FlowCursor: Sendable {
    static let batchSize = 1024

    private let store: FlowStore
    private let query: FlowQuery
    /// The history part still to deliver, before the ring phase.
    private var stored: Stored?
    private struct Stored: Sendable {
        let pager: FlowHistoryPager
        /// nil when the history part is done.
        var position: FlowHistoryPager.Position?
        /// Set until positioned: the history part is the last `n` matching stored flows.
        var last: UInt64?
        /// Set in first mode: flows still wanted from history and ring together.
        var remaining: UInt64?
        var delivered: UInt64 = 0
    }
    private enum Phase {
        /// Replaying stored events from `next` up to (not including) `end`; `remaining` counts
        /// flows still wanted in `first` mode.
        case history(next: UInt64, end: UInt64, remaining: UInt64?)
        case follow(next: UInt64)
        case done
    }
    private var phase: Phase = .done

    /// The position is taken now: flows written after this call are new to this reader.
    init(store: FlowStore, query: FlowQuery, history: (any FlowHistorySource)? = nil) {
        self.store = store
        self.query = query
        let (phase, ringMatches) = startingPhase()
        self.phase = phase
        guard let history else { return }
        let plan = FlowHistorySeam.plan(for: query, ringMatches: ringMatches)
        guard plan != .none, let range = FlowHistorySeam.range(for: query, ringEarliest: ringEarliestTime()) else { return }
        let pager = FlowHistoryPager(source: history, since: range.since, until: range.until, filter: { [query] in query.selects($0) })
        switch plan {
        case .none: return
        case .all: stored = Stored(pager: pager, position: .start)
        case .first(let count): stored = Stored(pager: pager, position: .start, remaining: count)
        case .last(let count): stored = Stored(pager: pager, position: .start, last: count)
        }
    }

    /// The next non-empty batch, or nil at the end (or when the task is cancelled while
    /// following).
    public mutating func next() async -> [FlowStoreEvent]? {
        while let history = stored {
            if let batch = await nextStored(history) { return batch }
        }
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

    /// One page of stored flows (nil when there was nothing to return this round); ends the
    /// history part when the range is done, or when reading it failed (the ring still follows).
    private mutating func nextStored(_ history: Stored) async -> [FlowStoreEvent]? {
        var history = history
        do {
            if let last = history.last {
                history.position = try await history.pager.offPool { try $0.startOfLast(last) }
                history.last = nil
            }
            guard let position = history.position, history.remaining != 0 else {
                finishStored(history)
                return nil
            }
            let limit = Int(min(UInt64(Self.batchSize), history.remaining ?? .max))
            let (flows, next) = try await history.pager.offPool { try $0.page(from: position, limit: limit) }
            history.position = next
            history.delivered += UInt64(flows.count)
            history.remaining = history.remaining.map { $0 - UInt64(flows.count) }
            stored = history
            if flows.isEmpty { return nil }
            return flows.map { .flow($0) }
        } catch {
            finishStored(history)
            return nil
        }
    }

    /// In first mode the ring supplies only what history did not.
    private mutating func finishStored(_ history: Stored) {
        stored = nil
        guard history.remaining != nil, case .history(let next, let end, let remaining?) = phase else { return }
        phase = .history(next: next, end: end, remaining: remaining - min(remaining, history.delivered))
    }

    /// The earliest event time in the ring (it need not be the oldest event's: stamps from
    /// several CPUs interleave), or nil when the ring is empty.
    private func ringEarliestTime() -> FlowTimestamp? {
        var earliest: FlowTimestamp?
        var cursor = store.ring.head
        while true {
            let (events, first) = store.ring.read(before: cursor, limit: Self.batchSize)
            if events.isEmpty { return earliest }
            for event in events where earliest.map({ event.time < $0 }) ?? true { earliest = event.time }
            cursor = first
        }
    }

    /// Where history starts and ends, decided once, against the ring as it is now; also how
    /// many matching flows a last-N query found in the ring (nil for other queries).
    private func startingPhase() -> (Phase, UInt64?) {
        let end = store.ring.head
        let oldest = store.ring.oldest
        if query.first {
            return (.history(next: oldest, end: end, remaining: query.number == 0 ? nil : query.number), nil)
        }
        if query.number == 0 {
            let newOnly = query.follow && query.since == nil && query.until == nil
            return (.history(next: newOnly ? end : oldest, end: end, remaining: nil), nil)
        }
        let (start, found) = startOfLast(query.number, before: end)
        return (.history(next: start, end: end, remaining: nil), found)
    }

    /// Walks back from `end` until `count` selected flows lie between the result and `end`;
    /// also returns how many it found.
    private func startOfLast(_ count: UInt64, before end: UInt64) -> (start: UInt64, found: UInt64) {
        var found: UInt64 = 0
        var cursor = end
        while true {
            let (events, first) = store.ring.read(before: cursor, limit: Self.batchSize)
            if events.isEmpty { return (cursor, found) }
            for (offset, event) in events.enumerated().reversed() {
                guard case .flow(let flow) = event else { continue }
                if let since = query.since, flow.time < since { return (first + UInt64(offset) + 1, found) }
                if query.selects(flow) {
                    found += 1
                    if found == count { return (first + UInt64(offset), found) }
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
