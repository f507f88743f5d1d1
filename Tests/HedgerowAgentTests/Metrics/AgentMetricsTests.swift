import Prometheus
import Testing

@testable import HedgerowAgent

@Suite struct AgentMetricsTests {
    @Test func exposesGaugesMapFillAndSyncHistograms() {
        let registry = PrometheusCollectorRegistry()
        let metrics = AgentMetrics(registry: registry)
        metrics.setEndpoints(4)
        metrics.setIdentities(9)
        metrics.setPolicyRevision(17)
        metrics.setMapFill(map: "hedgerow_policy", entries: 10, capacity: 16384)
        metrics.setMapFill(map: "hedgerow_policy", entries: 12, capacity: 16384)
        metrics.setMapFill(map: "hedgerow_lb_services", entries: 3, capacity: 4096)
        metrics.recordPolicySync(.microseconds(300))
        metrics.recordPolicySync(.milliseconds(40))
        metrics.recordServiceSync(.seconds(10))

        let lines = registry.emitToString().split(separator: "\n").map(String.init)
        for expected in [
            "hedgerow_endpoints 4.0",
            "hedgerow_identities 9.0",
            "hedgerow_policy_revision 17.0",
            #"hedgerow_bpf_map_entries{map="hedgerow_policy"} 12.0"#,
            #"hedgerow_bpf_map_capacity{map="hedgerow_policy"} 16384.0"#,
            #"hedgerow_bpf_map_entries{map="hedgerow_lb_services"} 3.0"#,
            #"hedgerow_policy_sync_duration_seconds_bucket{le="0.0001"} 0"#,
            #"hedgerow_policy_sync_duration_seconds_bucket{le="0.0005"} 1"#,
            #"hedgerow_policy_sync_duration_seconds_bucket{le="0.05"} 2"#,
            #"hedgerow_policy_sync_duration_seconds_bucket{le="+Inf"} 2"#,
            "hedgerow_policy_sync_duration_seconds_count 2",
            #"hedgerow_service_sync_duration_seconds_bucket{le="5.0"} 0"#,
            #"hedgerow_service_sync_duration_seconds_bucket{le="+Inf"} 1"#,
            "# TYPE hedgerow_policy_sync_duration_seconds histogram",
            "# TYPE hedgerow_endpoints gauge",
        ] {
            #expect(lines.contains(expected), "missing \(expected)")
        }
    }
}
