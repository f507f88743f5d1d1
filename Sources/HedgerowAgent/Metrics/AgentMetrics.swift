import Prometheus
import Synchronization

/// The agent's own gauges and histograms (hedgerow_*), updated by the agent as its state
/// changes; read only when Prometheus scrapes.
public final class AgentMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let endpoints: Gauge
    private let identities: Gauge
    private let policyRevision: Gauge
    private let policySync: DurationHistogram
    private let serviceSync: DurationHistogram
    private let maps = Mutex<[String: (entries: Gauge, capacity: Gauge)]>([:])

    /// Sync durations run from sub-millisecond (one endpoint) to seconds (full recompile).
    public static let syncBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        endpoints = registry.makeGauge(
            descriptor: .named("hedgerow_endpoints", help: "Number of local endpoints managed by the agent"))
        identities = registry.makeGauge(
            descriptor: .named("hedgerow_identities", help: "Number of security identities known to the agent"))
        policyRevision = registry.makeGauge(
            descriptor: .named("hedgerow_policy_revision", help: "Revision of the policy the datapath enforces"))
        policySync = registry.makeDurationHistogram(
            descriptor: .named(
                "hedgerow_policy_sync_duration_seconds",
                help: "Time to compute endpoint policy and write it into the datapath"),
            buckets: Self.syncBuckets)
        serviceSync = registry.makeDurationHistogram(
            descriptor: .named(
                "hedgerow_service_sync_duration_seconds", help: "Time to write service translations into the datapath"),
            buckets: Self.syncBuckets)
    }

    public func setEndpoints(_ count: Int) { endpoints.set(Int64(count)) }
    public func setIdentities(_ count: Int) { identities.set(Int64(count)) }
    public func setPolicyRevision(_ revision: UInt64) { policyRevision.set(Int64(clamping: revision)) }
    public func recordPolicySync(_ duration: Duration) { policySync.record(duration) }
    public func recordServiceSync(_ duration: Duration) { serviceSync.record(duration) }

    /// Map fill: `entries` of `capacity` for the BPF map called `map` (e.g. "hedgerow_policy").
    public func setMapFill(map: String, entries: Int, capacity: Int) {
        let gauges = maps.withLock { maps in
            if let gauges = maps[map] { return gauges }
            let gauges = (
                entries: registry.makeGauge(
                    descriptor: .named("hedgerow_bpf_map_entries", help: "Entries in a BPF map"), labels: [("map", map)]),
                capacity: registry.makeGauge(
                    descriptor: .named("hedgerow_bpf_map_capacity", help: "Maximum entries of a BPF map"),
                    labels: [("map", map)]))
            maps[map] = gauges
            return gauges
        }
        gauges.entries.set(Int64(entries))
        gauges.capacity.set(Int64(capacity))
    }
}
