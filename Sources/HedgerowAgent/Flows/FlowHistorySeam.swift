import HedgerowCore

/// Where the on-disk history and the ring meet for one query. Pure.
///
/// The history part is [since, earliest time in the ring), the ring part everything from
/// there: a stored flow still in the ring has a time at or after the cut, so it comes only
/// from the ring and nothing appears twice. (A flow evicted from the ring whose time is after
/// the earliest ring time - stamps from several CPUs interleave slightly - is the one that
/// can be missed; flows the writer had not yet flushed when a query runs are still in the
/// ring unless it wrapped within a flush interval.)
enum FlowHistorySeam {
    enum Plan: Sendable, Hashable {
        case none
        /// Every stored flow in range.
        case all
        /// The earliest `n` (nil: all), ring flows making up the rest.
        case first(UInt64?)
        /// The latest `n` stored ones, ahead of the ring's.
        case last(UInt64)
    }

    /// `ringMatches`: for last-N queries, the matching flows the ring holds.
    static func plan(for query: FlowQuery, ringMatches: UInt64?) -> Plan {
        if query.first { return .first(query.number == 0 ? nil : query.number) }
        if query.number == 0 {
            let newOnly = query.follow && query.since == nil && query.until == nil
            return newOnly ? .none : .all
        }
        let found = ringMatches ?? 0
        return found >= query.number ? .none : .last(query.number - found)
    }

    /// The history range, since inclusive, until exclusive; nil when it is empty.
    /// `ringEarliest` nil (empty ring): history runs to now; flows stamped later go to the ring.
    static func range(
        for query: FlowQuery, ringEarliest: FlowTimestamp?, now: FlowTimestamp = FlowClock.now()
    ) -> (since: FlowTimestamp?, until: FlowTimestamp)? {
        var until = ringEarliest ?? now
        if let queryUntil = query.until {
            // The query's until is inclusive.
            until = min(until, FlowTimestamp(nanosecondsSinceEpoch: queryUntil.nanosecondsSinceEpoch + 1))
        }
        if let since = query.since, since >= until { return nil }
        return (query.since, until)
    }
}
