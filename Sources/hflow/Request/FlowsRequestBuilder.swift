import HedgerowAPI
import HedgerowCore
import SwiftProtobuf

/// The selector flags (`--last`, `--first`, `--all`, `--follow`, `--since`, `--until`) as a
/// GetFlows request, with hubble's rules: at most one of --first/--last/--all, no --first with
/// --follow, and 20 flows when nothing else is asked.
struct FlowsRequestBuilder {
    static let defaultCount: UInt64 = 20

    var last: UInt64?
    var first: UInt64?
    var all = false
    var follow = false
    var since: String?
    var until: String?

    func request(filters: FilterLists, now: FlowTimestamp) throws(UsageError) -> Observer_GetFlowsRequest {
        let wantsFirst = (first ?? 0) > 0
        let wantsLast = (last ?? 0) > 0
        if wantsFirst && wantsLast { throw UsageError("cannot set both --first and --last") }
        if wantsFirst && all { throw UsageError("cannot set both --first and --all") }
        if wantsFirst && follow { throw UsageError("cannot set both --first and --follow") }
        if wantsLast && all { throw UsageError("cannot set both --last and --all") }

        var request = Observer_GetFlowsRequest()
        if let since {
            guard let time = TimeArgument.parse(since, now: now) else {
                throw UsageError("invalid --since value \"\(since)\": expected a duration (5m, 1h30m) or a time (2024-11-26T21:04:05Z)")
            }
            request.since = Google_Protobuf_Timestamp(seconds: time.seconds, nanos: time.nanos)
        }
        // As hubble: --until only bounds a non-follow query.
        if let until, !follow {
            guard let time = TimeArgument.parse(until, now: now) else {
                throw UsageError("invalid --until value \"\(until)\": expected a duration (5m, 1h30m) or a time (2024-11-26T21:04:05Z)")
            }
            request.until = Google_Protobuf_Timestamp(seconds: time.seconds, nanos: time.nanos)
        }
        if wantsFirst {
            request.first = true
            request.number = first!
        } else if all {
            request.number = .max
        } else if wantsLast {
            request.number = last!
        } else if !follow && since == nil && (until == nil || follow) {
            request.number = Self.defaultCount
        }
        request.follow = follow
        request.whitelist = filters.whitelist
        request.blacklist = filters.blacklist
        return request
    }
}
