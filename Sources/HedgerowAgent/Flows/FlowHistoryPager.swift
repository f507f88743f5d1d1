import Foundation
import HedgerowCore

/// Reads the history part of a query, [since, until), in pages, so that a reply never holds
/// more than a page of stored flows in memory. A position is "the `skip`-th matching flow
/// with time `time`" (flows with equal times come in a stable order), so each page is a fresh
/// read that starts at the block index for `time`: no reader state outlives a page.
struct FlowHistoryPager: Sendable {
    struct Position: Sendable, Hashable {
        /// nil: the start of the range.
        var time: FlowTimestamp?
        /// Matching flows at exactly `time` that came before this position.
        var skip: Int
        static let start = Position(time: nil, skip: 0)
    }

    let source: any FlowHistorySource
    let since: FlowTimestamp?
    /// Exclusive.
    let until: FlowTimestamp?
    let filter: @Sendable (Flow) -> Bool

    /// Up to `limit` flows from `position`, and where the next page starts (nil: the range is done).
    func page(from position: Position, limit: Int) throws -> (flows: [Flow], next: Position?) {
        let start = position.time ?? since
        var skipped = 0
        var flows: [Flow] = []
        try source.read(since: start, until: until, where: filter) { flow in
            if let time = position.time, flow.time == time, skipped < position.skip {
                skipped += 1
                return true
            }
            flows.append(flow)
            return flows.count < limit
        }
        guard flows.count == limit, let last = flows.last?.time else { return (flows, nil) }
        var atLast = flows.reversed().prefix { $0.time == last }.count
        if last == position.time { atLast += skipped }
        return (flows, Position(time: last, skip: atLast))
    }

    /// Where the last `count` matching flows of the range begin.
    func startOfLast(_ count: UInt64) throws -> Position {
        var total: UInt64 = 0
        try source.read(since: since, until: until, where: filter) { _ in
            total += 1
            return true
        }
        guard total > count else { return .start }
        let target = total - count
        var index: UInt64 = 0
        var found = Position.start
        var previous: FlowTimestamp?
        var atTime = 0
        try source.read(since: since, until: until, where: filter) { flow in
            atTime = flow.time == previous ? atTime + 1 : 0
            previous = flow.time
            if index == target {
                found = Position(time: flow.time, skip: atTime)
                return false
            }
            index += 1
            return true
        }
        return found
    }

    /// Runs a blocking read on a thread of its own, not on the cooperative pool (file I/O and
    /// decompression would hold one of its few threads).
    func offPool<T: Sendable>(_ work: @escaping @Sendable (FlowHistoryPager) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { [self] in continuation.resume(with: Result { try work(self) }) }.start()
        }
    }
}
