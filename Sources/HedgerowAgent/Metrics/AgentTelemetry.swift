import Prometheus

/// Everything the agent exports to Prometheus, sharing one registry: the Hubble flow counters
/// (a `FlowSink` for the flow pipeline) and the agent's own gauges and histograms.
public struct AgentTelemetry: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let flowSink: MetricsSink
    public let agent: AgentMetrics

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        flowSink = MetricsSink(registry: registry)
        agent = AgentMetrics(registry: registry)
    }

    /// The /metrics and /healthz server for `--metrics-listen HOST:PORT`.
    public func makeServer(listen: String, isReady: @escaping @Sendable () -> Bool) throws(MetricsListenError)
        -> MetricsServer
    {
        try MetricsServer(listen: listen, registry: registry, isReady: isReady)
    }
}
