import HedgerowCore
import Prometheus
import Testing

@testable import HedgerowAgent

/// Flows shaped like the datapath's, for the metrics tests.
enum MetricsTestFlows {
    static let client = FlowEndpoint(identity: SecurityIdentity(rawValue: 256), namespace: "x", podName: "a")
    static let server = FlowEndpoint(identity: SecurityIdentity(rawValue: 257), namespace: "y", podName: "b")

    static func flow(
        _ verdict: Verdict, _ eventType: FlowEventType, l4: Layer4?, v6: Bool = false, isReply: Bool? = false,
        dropReason: DropReason? = nil, direction: FlowTrafficDirection = .egress, matchType: UInt32 = 0
    ) -> Flow {
        let ip = v6
            ? FlowIP(source: IPAddress("fd00::1")!, destination: IPAddress("fd00::2")!)
            : FlowIP(source: IPAddress("10.0.0.1")!, destination: IPAddress("10.0.0.2")!)
        return Flow(
            time: FlowTimestamp(seconds: 1), verdict: verdict, dropReason: dropReason, ip: ip, l4: l4,
            source: client, destination: server, isReply: isReply, eventType: eventType,
            trafficDirection: direction, policyMatchType: matchType)
    }

    static func tcp(_ flags: TCPFlags, port: UInt16 = 80) -> Layer4 {
        .tcp(sourcePort: 43210, destinationPort: port, flags: flags)
    }

    /// The registry's sample lines of the families starting with `prefix`, sorted.
    static func samples(_ registry: PrometheusCollectorRegistry, prefix: String) -> [String] {
        registry.emitToString().split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix(prefix) }.sorted()
    }
}

@Suite struct MetricsSinkTests {
    typealias F = MetricsTestFlows

    @Test func countsFlowsDropsFlagsPortsAndLostEventsAsHubbleDoes() {
        let registry = PrometheusCollectorRegistry()
        let sink = MetricsSink(registry: registry)
        let flows: [Flow] = [
            F.flow(.forwarded, .trace(.toEndpoint), l4: F.tcp([.syn])),
            F.flow(.forwarded, .trace(.toEndpoint), l4: F.tcp([.syn, .ack]), isReply: true),
            F.flow(.forwarded, .trace(.toStack), l4: F.tcp([.ack, .fin]), v6: true),
            F.flow(.forwarded, .trace(.toEndpoint), l4: F.tcp([.rst], port: 443)),
            F.flow(.forwarded, .trace(.toEndpoint), l4: .udp(sourcePort: 5353, destinationPort: 53)),
            F.flow(.forwarded, .trace(.toEndpoint), l4: .icmpv4(type: 8, code: 0)),
            F.flow(.dropped, .drop(.policyDenied), l4: F.tcp([.syn]), dropReason: .policyDenied),
            F.flow(.dropped, .drop(.policyDenied), l4: .udp(sourcePort: 1, destinationPort: 2), dropReason: .policyDenied),
            F.flow(.dropped, .drop(DropReason(rawValue: 199)), l4: nil, dropReason: DropReason(rawValue: 199)),
            F.flow(.dropped, .policyVerdict(matchType: 0), l4: F.tcp([.syn]), direction: .ingress, matchType: 0),
            F.flow(.forwarded, .policyVerdict(matchType: 2), l4: F.tcp([.syn]), direction: .ingress, matchType: 2),
        ]
        for flow in flows { sink.observe(flow) }
        sink.observeLost(LostEvent(source: .perfEventRingBuffer, count: 7, cpu: 1))
        sink.observeLost(LostEvent(source: .perfEventRingBuffer, count: 3, cpu: 0))
        sink.observeLost(LostEvent(source: .hubbleRingBuffer, count: 2))

        #expect(F.samples(registry, prefix: "hubble_flows_processed_total") == [
            #"hubble_flows_processed_total{type="Drop",subtype="",verdict="DROPPED"} 3"#,
            #"hubble_flows_processed_total{type="PolicyVerdict",subtype="",verdict="DROPPED"} 1"#,
            #"hubble_flows_processed_total{type="PolicyVerdict",subtype="",verdict="FORWARDED"} 1"#,
            #"hubble_flows_processed_total{type="Trace",subtype="to-endpoint",verdict="FORWARDED"} 5"#,
            #"hubble_flows_processed_total{type="Trace",subtype="to-stack",verdict="FORWARDED"} 1"#,
        ])
        #expect(F.samples(registry, prefix: "hubble_drop_total") == [
            #"hubble_drop_total{reason="199",protocol="Unknown flow"} 1"#,
            #"hubble_drop_total{reason="DROP_REASON_UNKNOWN",protocol="TCP"} 1"#,
            #"hubble_drop_total{reason="POLICY_DENIED",protocol="TCP"} 1"#,
            #"hubble_drop_total{reason="POLICY_DENIED",protocol="UDP"} 1"#,
        ])
        #expect(F.samples(registry, prefix: "hubble_tcp_flags_total") == [
            #"hubble_tcp_flags_total{flag="FIN",family="IPv6"} 1"#,
            #"hubble_tcp_flags_total{flag="RST",family="IPv4"} 1"#,
            #"hubble_tcp_flags_total{flag="SYN",family="IPv4"} 2"#,
            #"hubble_tcp_flags_total{flag="SYN-ACK",family="IPv4"} 1"#,
        ])
        // Replies and drops are not counted; ICMP counts under port 0.
        #expect(F.samples(registry, prefix: "hubble_port_distribution_total") == [
            #"hubble_port_distribution_total{protocol="ICMPv4",port="0"} 1"#,
            #"hubble_port_distribution_total{protocol="TCP",port="443"} 1"#,
            #"hubble_port_distribution_total{protocol="TCP",port="80"} 3"#,
            #"hubble_port_distribution_total{protocol="UDP",port="53"} 1"#,
        ])
        #expect(F.samples(registry, prefix: "hubble_policy_verdicts_total") == [
            #"hubble_policy_verdicts_total{direction="ingress",match="L3-L4",action="forwarded"} 1"#,
            #"hubble_policy_verdicts_total{direction="ingress",match="none",action="dropped"} 1"#,
        ])
        #expect(F.samples(registry, prefix: "hubble_lost_events_total") == [
            #"hubble_lost_events_total{source="hubble_ring_buffer"} 2"#,
            #"hubble_lost_events_total{source="perf_event_ring_buffer"} 10"#,
        ])
    }

    @Test func exposesHelpAndTypeForEachFamily() {
        let registry = PrometheusCollectorRegistry()
        let sink = MetricsSink(registry: registry)
        sink.observe(F.flow(.forwarded, .trace(.toEndpoint), l4: F.tcp([.syn])))
        let text = registry.emitToString()
        #expect(text.contains("# TYPE hubble_flows_processed_total counter\n"))
        #expect(text.contains("# HELP hubble_flows_processed_total Total number of flows processed\n"))
    }

    @Test func dropReasonNamesAreTheProtoEnumNames() {
        #expect(DropReasonNames.name(of: .policyDenied) == "POLICY_DENIED")
        #expect(DropReasonNames.name(of: .policyDeny) == "POLICY_DENY")
        #expect(DropReasonNames.name(of: .ttlExceeded) == "TTL_EXCEEDED")
        #expect(DropReasonNames.name(of: .invalidPacket) == "INVALID_PACKET_DROPPED")
    }
}
