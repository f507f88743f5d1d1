import CHedgerowABI

/// The agent's settings for the endpoint programs (`struct hedgerow_config`). They take effect
/// on the next packet; the programs need no reload.
public struct DatapathSettings: Sendable, Equatable {
    /// Which forwarded packets become flow events (drops always do), as Cilium's
    /// `--monitor-aggregation` names them.
    public enum Aggregation: String, Sendable, CaseIterable {
        /// Every packet.
        case none
        /// New connections, the first reply, the first SYN, FIN and RST per direction, and each
        /// direction again after `reportInterval` of activity.
        case medium
        /// New connections and their close (first RST, or FIN both ways).
        case maximum = "max"
    }

    public var aggregation: Aggregation = .medium
    public var reportInterval: Duration = .seconds(5)
    /// Idle lifetimes of conntrack entries.
    public var tcpLifetime: Duration = .seconds(21_600)
    public var tcpOpeningLifetime: Duration = .seconds(60)
    public var tcpClosingLifetime: Duration = .seconds(10)
    public var otherLifetime: Duration = .seconds(60)

    public init(aggregation: Aggregation = .medium) { self.aggregation = aggregation }

    /// The config struct for a kernel with `ticksPerSecond` (its HZ): the report interval is
    /// counted in ticks, at least one.
    func abi(ticksPerSecond: UInt32) -> hedgerow_config {
        let level: hedgerow_aggregation = switch aggregation {
        case .none: HEDGEROW_AGGREGATION_NONE
        case .medium: HEDGEROW_AGGREGATION_MEDIUM
        case .maximum: HEDGEROW_AGGREGATION_MAX
        }
        let intervalTicks = (Double(Self.nanoseconds(reportInterval)) * Double(ticksPerSecond) / 1e9).rounded(.up)
        return hedgerow_config(
            report_interval_ticks: UInt64(max(intervalTicks, 1)), aggregation: level.rawValue,
            ticks_per_second: ticksPerSecond,
            ct_tcp_lifetime_s: Self.seconds(tcpLifetime), ct_syn_lifetime_s: Self.seconds(tcpOpeningLifetime),
            ct_close_lifetime_s: Self.seconds(tcpClosingLifetime), ct_other_lifetime_s: Self.seconds(otherLifetime))
    }

    /// What the programs use for `config` (zero fields mean the defaults there too).
    init(_ config: hedgerow_config, ticksPerSecond: UInt32) {
        let defaults = DatapathSettings()
        switch config.aggregation {
        case HEDGEROW_AGGREGATION_NONE.rawValue: aggregation = .none
        case HEDGEROW_AGGREGATION_MAX.rawValue: aggregation = .maximum
        default: aggregation = .medium
        }
        let rate = config.ticks_per_second == 0 ? ticksPerSecond : config.ticks_per_second
        reportInterval = config.report_interval_ticks == 0 || rate == 0
            ? defaults.reportInterval : .nanoseconds(Int64(config.report_interval_ticks) * 1_000_000_000 / Int64(rate))
        func lifetime(_ seconds: UInt32, _ fallback: Duration) -> Duration { seconds == 0 ? fallback : .seconds(Int64(seconds)) }
        tcpLifetime = lifetime(config.ct_tcp_lifetime_s, defaults.tcpLifetime)
        tcpOpeningLifetime = lifetime(config.ct_syn_lifetime_s, defaults.tcpOpeningLifetime)
        tcpClosingLifetime = lifetime(config.ct_close_lifetime_s, defaults.tcpClosingLifetime)
        otherLifetime = lifetime(config.ct_other_lifetime_s, defaults.otherLifetime)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    /// Whole seconds, at least 1 (0 would mean "default" to the programs).
    private static func seconds(_ duration: Duration) -> UInt32 { UInt32(clamping: max(duration.components.seconds, 1)) }
}
