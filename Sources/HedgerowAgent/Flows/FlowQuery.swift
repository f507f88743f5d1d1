import HedgerowCore

/// What a GetFlows request asks of the store, in core terms.
///
/// - `first`: the earliest `number` matching flows (all when 0), never followed.
/// - otherwise: the latest `number` matching flows; with `number` 0, every stored flow in the
///   time range, except that a plain follow (no since, no until) starts with new flows only.
/// - `follow`: keep streaming new matching flows afterwards, until `until` if set.
/// - `since`/`until` bound flow times (inclusive); `filters` select flows. Lost-event records
///   are never filtered: a reader must always learn what it did not see.
public struct FlowQuery: Sendable, Hashable {
    public var number: UInt64
    public var first: Bool
    public var follow: Bool
    public var since: FlowTimestamp?
    public var until: FlowTimestamp?
    public var filters: FlowFilterSet

    public init(
        number: UInt64 = 0, first: Bool = false, follow: Bool = false, since: FlowTimestamp? = nil,
        until: FlowTimestamp? = nil, filters: FlowFilterSet = FlowFilterSet()
    ) {
        self.number = number
        self.first = first
        self.follow = follow
        self.since = since
        self.until = until
        self.filters = filters
    }

    func inTimeRange(_ time: FlowTimestamp) -> Bool {
        (since.map { time >= $0 } ?? true) && (until.map { time <= $0 } ?? true)
    }

    func selects(_ flow: Flow) -> Bool {
        inTimeRange(flow.time) && filters.allows(flow)
    }
}
