import Foundation
import HedgerowCore
import Prometheus
import Testing

@testable import HedgerowAgent

/// deploy/grafana/hedgerow.json must query only metrics the agent exposes, so a rename here
/// cannot silently blank a panel.
@Suite struct GrafanaDashboardTests {
    @Test func everyQueriedMetricIsExposed() throws {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/grafana/hedgerow.json")
        let dashboard = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        let queried = Set(Self.expressions(in: dashboard).flatMap(Self.metricNames))
        #expect(queried.count >= 10, "dashboard queries \(queried.sorted())")
        let exposed = Self.exposedFamilies()
        for name in queried.sorted() {
            #expect(exposed.contains(name), "dashboard queries \(name), which the agent does not expose")
        }
    }

    private static func expressions(in json: Any) -> [String] {
        if let object = json as? [String: Any] {
            return object.flatMap { key, value in key == "expr" ? [value as? String ?? ""] : expressions(in: value) }
        }
        if let array = json as? [Any] { return array.flatMap(expressions(in:)) }
        return []
    }

    /// hubble_* and hedgerow_* identifiers, histogram series folded into their family.
    private static func metricNames(in expression: String) -> [String] {
        let pattern = /(hubble|hedgerow)_[a-z0-9_]+/
        return expression.matches(of: pattern).map { match in
            var name = String(match.output.0)
            for suffix in ["_bucket", "_count", "_sum"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
            return name
        }
    }

    /// Family names the registry emits once every family has a sample.
    private static func exposedFamilies() -> Set<String> {
        let registry = PrometheusCollectorRegistry()
        let sink = MetricsSink(registry: registry)
        let agent = AgentMetrics(registry: registry)
        let ip = FlowIP(source: IPAddress("10.0.0.1")!, destination: IPAddress("10.0.0.2")!)
        let end = FlowEndpoint(identity: SecurityIdentity(rawValue: 256))
        for (verdict, eventType) in [(Verdict.forwarded, FlowEventType.policyVerdict()), (.dropped, .drop(.policyDenied))] {
            sink.observe(
                Flow(
                    time: FlowTimestamp(seconds: 1), verdict: verdict, ip: ip,
                    l4: .tcp(sourcePort: 1, destinationPort: 80, flags: [.syn]), source: end, destination: end,
                    isReply: false, eventType: eventType))
        }
        sink.observeLost(LostEvent(source: .perfEventRingBuffer, count: 1))
        agent.setMapFill(map: "m", entries: 1, capacity: 2)
        return Set(
            registry.emitToString().split(separator: "\n")
                .filter { $0.hasPrefix("# TYPE ") }
                .map { String($0.split(separator: " ")[2]) })
    }
}
